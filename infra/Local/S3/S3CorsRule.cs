using System.Globalization;
using System.Text.RegularExpressions;

namespace Serverless.Local.S3;

/// <summary>
/// One rule of a bucket's CORS configuration (<c>CorsConfiguration.CorsRules</c> of <c>AWS::S3::Bucket</c>), matched as
/// S3 matches it: the first rule whose origins hold the request's <c>Origin</c> (<c>*</c> is a wildcard, also inside an
/// origin such as <c>http://*.example.com</c>), whose methods hold the method (for a preflight, its
/// <c>Access-Control-Request-Method</c>), and, for a preflight, whose headers hold every one of its
/// <c>Access-Control-Request-Headers</c> (case-insensitive, with wildcards).
/// </summary>
public sealed record S3CorsRule(
    IReadOnlyList<string> AllowedOrigins,
    IReadOnlyList<string> AllowedMethods,
    IReadOnlyList<string> AllowedHeaders,
    IReadOnlyList<string> ExposedHeaders,
    int? MaxAge)
{
    private readonly Regex[] originPatterns = AllowedOrigins.Select(origin => Wildcard(origin, RegexOptions.None)).ToArray();
    private readonly Regex[] headerPatterns = AllowedHeaders.Select(header => Wildcard(header, RegexOptions.IgnoreCase)).ToArray();

    /// <summary>The first rule of <paramref name="rules"/> that allows the request, or null.</summary>
    public static S3CorsRule? Match(IEnumerable<S3CorsRule> rules, string origin, string method, IReadOnlyList<string> requestHeaders) =>
        rules.FirstOrDefault(rule => rule.Allows(origin, method, requestHeaders));

    public bool Allows(string origin, string method, IReadOnlyList<string> requestHeaders) =>
        AllowedMethods.Contains(method, StringComparer.Ordinal)
        && originPatterns.Any(allowed => allowed.IsMatch(origin))
        && requestHeaders.All(header => headerPatterns.Any(allowed => allowed.IsMatch(header)));

    /// <summary>Writes the CORS headers S3 puts on a preflight answer and on an actual response this rule allowed.</summary>
    /// <param name="requestHeaders">The preflight's <c>Access-Control-Request-Headers</c> (echoed lower-cased); none
    /// for an actual request.</param>
    public void WriteHeaders(IHeaderDictionary headers, string origin, IReadOnlyList<string> requestHeaders)
    {
        var anyOrigin = AllowedOrigins.Contains("*");
        headers.AccessControlAllowOrigin = anyOrigin ? "*" : origin;
        if (!anyOrigin) headers.AccessControlAllowCredentials = "true";
        headers.AccessControlAllowMethods = string.Join(", ", AllowedMethods);
        if (requestHeaders.Count > 0)
            headers.AccessControlAllowHeaders = string.Join(", ", requestHeaders.Select(header => header.ToLowerInvariant()));
        if (ExposedHeaders.Count > 0) headers.AccessControlExposeHeaders = string.Join(", ", ExposedHeaders);
        if (MaxAge is { } seconds) headers.AccessControlMaxAge = seconds.ToString(CultureInfo.InvariantCulture);
        headers.Vary = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method";
    }

    /// <summary>The whole of a value that <paramref name="pattern"/> matches, each <c>*</c> in it standing for any characters.</summary>
    private static Regex Wildcard(string pattern, RegexOptions options) =>
        new("^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal) + "$",
            options | RegexOptions.CultureInvariant | RegexOptions.Singleline);
}
