using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Serverless.Local;

/// <summary>What the local cloud's own HTTP servers (gateway, Lambda service, Cognito front) share.</summary>
internal static class LocalHttp
{
    /// <summary>A Kestrel app on 127.0.0.1 only (port 0: any free port), without framework logging.</summary>
    public static WebApplication Create(int port, long? maxRequestBodySize = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        if (maxRequestBodySize is { } limit) builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = limit);
        return builder.Build();
    }

    public static async Task<byte[]> ReadBodyAsync(this HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        return buffer.ToArray();
    }
}
