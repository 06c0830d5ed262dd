
namespace Serverless.Local.Gateway;

/// <summary>
/// An HTTP API's <c>CorsConfiguration</c>. As API Gateway does, the gateway answers preflight
/// requests itself and adds the CORS headers to integration responses for an allowed origin.
/// </summary>
public sealed record CorsConfiguration(
    IReadOnlyList<string> AllowOrigins,
    IReadOnlyList<string> AllowHeaders,
    IReadOnlyList<string> AllowMethods,
    IReadOnlyList<string> ExposeHeaders,
    bool AllowCredentials,
    int? MaxAge)
{
    public bool IsPreflight(HttpRequest request) =>
        HttpMethods.IsOptions(request.Method) && request.Headers.Origin.Count > 0 && request.Headers.AccessControlRequestMethod.Count > 0;

    /// <summary>The origin to echo in <c>access-control-allow-origin</c>, or null when the origin is not allowed.</summary>
    public string? AllowedOrigin(string? origin)
    {
        if (string.IsNullOrEmpty(origin)) return null;
        if (AllowOrigins.Contains("*")) return AllowCredentials ? origin : "*";
        return AllowOrigins.Any(allowed => string.Equals(allowed.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase)) ? origin : null;
    }

    public void WritePreflight(HttpRequest request, HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status204NoContent;
        if (AllowedOrigin(request.Headers.Origin) is not { } origin) return;
        var headers = response.Headers;
        headers.AccessControlAllowOrigin = origin;
        headers.AccessControlAllowMethods = string.Join(',', AllowMethods);
        headers.AccessControlAllowHeaders = AllowHeaders.Contains("*") ? request.Headers.AccessControlRequestHeaders.ToString()
            : string.Join(',', AllowHeaders);
        if (AllowCredentials) headers.AccessControlAllowCredentials = "true";
        if (MaxAge is { } seconds) headers.AccessControlMaxAge = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public void WriteResponseHeaders(HttpRequest request, HttpResponse response)
    {
        if (AllowedOrigin(request.Headers.Origin) is not { } origin) return;
        response.Headers.AccessControlAllowOrigin = origin;
        if (AllowCredentials) response.Headers.AccessControlAllowCredentials = "true";
        if (ExposeHeaders.Count > 0) response.Headers.AccessControlExposeHeaders = string.Join(',', ExposeHeaders);
        response.Headers.Vary = "Origin";
    }
}
