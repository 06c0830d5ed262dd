using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;

namespace Serverless.Kernel.Aws;

/// <summary>
/// Signs an <see cref="HttpRequestMessage"/> with AWS Signature Version 4 (header form).
/// The canonical request is built here; the signing-key derivation and the hashes are AWSSDK.Core's
/// (<see cref="AWS4Signer.ComposeSigningKey"/>, <see cref="AWS4Signer.ComputeHash(string)"/>,
/// <see cref="AWS4Signer.SignBlob(byte[], string)"/>).
/// </summary>
/// <remarks>
/// Signing sets <c>Host</c> (unless the request already has one), <c>X-Amz-Date</c>, <c>X-Amz-Security-Token</c> when the
/// credentials carry a session token, <c>x-amz-content-sha256</c> when <see cref="SigV4Options.IncludeContentSha256Header"/>,
/// and <c>Authorization</c>. It also rewrites the request URI so that what goes on the wire is exactly the encoding the
/// canonical request assumes (each path segment and query component percent-encoded the AWS way), so the server's view
/// and ours cannot drift. Signing the same request again (a retry) replaces the previous signature.
/// </remarks>
public static class SigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>Lower-case hex SHA-256 of an empty payload.</summary>
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    // Headers a proxy or the transport may add, drop or rewrite: never signed (content-length included, as
    // HttpContent computes it lazily and chunked transfer drops it).
    private static readonly HashSet<string> UnsignedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "authorization", "user-agent", "x-amzn-trace-id", "expect", "transfer-encoding", "connection",
        "keep-alive", "proxy-authorization", "te", "upgrade", "content-length",
    };

    /// <summary>Hashes the request body (buffering it) and signs the request.</summary>
    public static async Task<SigV4Result> SignAsync(
        HttpRequestMessage request, ImmutableCredentials credentials, string region, string signingName,
        DateTimeOffset signingTime, CancellationToken cancellationToken, SigV4Options? options = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var payloadHash = EmptyPayloadHash;
        if (request.Content is not null)
        {
            var body = await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            payloadHash = Convert.ToHexStringLower(AWS4Signer.ComputeHash(body));
        }
        return Sign(request, credentials, region, signingName, signingTime, payloadHash, options);
    }

    /// <summary>Signs the request with a payload hash the caller computed (lower-case hex SHA-256, or
    /// <c>UNSIGNED-PAYLOAD</c> where the service allows it).</summary>
    public static SigV4Result Sign(
        HttpRequestMessage request, ImmutableCredentials credentials, string region, string signingName,
        DateTimeOffset signingTime, string payloadHash, SigV4Options? options = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentException.ThrowIfNullOrEmpty(region);
        ArgumentException.ThrowIfNullOrEmpty(signingName);
        ArgumentException.ThrowIfNullOrEmpty(payloadHash);
        options ??= SigV4Options.For(signingName);
        var uri = request.RequestUri is { IsAbsoluteUri: true } absolute
            ? absolute
            : throw new ArgumentException("The request needs an absolute RequestUri to be signed.", nameof(request));

        var (wirePath, canonicalPath) = CanonicalizePath(uri.AbsolutePath, options.DoubleEncodePath);
        var (wireQuery, canonicalQuery) = CanonicalizeQuery(uri.Query);
        var wire = uri.GetLeftPart(UriPartial.Authority) + wirePath + (wireQuery.Length > 0 ? "?" + wireQuery : "");
        if (!string.Equals(wire, uri.AbsoluteUri, StringComparison.Ordinal))
            request.RequestUri = new Uri(wire, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });

        var utc = signingTime.UtcDateTime;
        var amzDate = utc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var dateStamp = utc.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

        var headers = request.Headers;
        headers.Remove("Authorization");
        headers.Remove("X-Amz-Date");
        headers.Remove("X-Amz-Security-Token");
        headers.Remove("x-amz-content-sha256");
        if (string.IsNullOrEmpty(headers.Host))
            headers.Host = uri.IsDefaultPort ? uri.IdnHost : $"{uri.IdnHost}:{uri.Port.ToString(CultureInfo.InvariantCulture)}";
        headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        if (!string.IsNullOrEmpty(credentials.Token))
            headers.TryAddWithoutValidation("X-Amz-Security-Token", credentials.Token);
        if (options.IncludeContentSha256Header)
            headers.TryAddWithoutValidation("x-amz-content-sha256", payloadHash);

        var (canonicalHeaders, signedHeaders) = CanonicalizeHeaders(request);
        var canonicalRequest = string.Join('\n',
            request.Method.Method, canonicalPath, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash);

        var scope = $"{dateStamp}/{region}/{signingName}/aws4_request";
        var (stringToSign, signature) = Signature(credentials.SecretKey, amzDate, scope, canonicalRequest);

        var authorization = $"{Algorithm} Credential={credentials.AccessKey}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
        headers.TryAddWithoutValidation("Authorization", authorization);
        return new SigV4Result(canonicalRequest, stringToSign, signedHeaders, signature, authorization);
    }

    /// <summary>
    /// The string to sign and the lower-case hex signature of a canonical request, signed at <paramref name="amzDate"/>
    /// (<c>yyyyMMddTHHmmssZ</c>) within <paramref name="scope"/> (<c>date/region/service/aws4_request</c>).
    /// </summary>
    public static (string StringToSign, string Signature) Signature(
        string secretKey, string amzDate, string scope, string canonicalRequest)
    {
        var parts = scope.Split('/');
        var stringToSign = string.Join('\n',
            Algorithm, amzDate, scope, Convert.ToHexStringLower(AWS4Signer.ComputeHash(canonicalRequest)));
        var signingKey = AWS4Signer.ComposeSigningKey(secretKey, parts[1], parts[0], parts[2]);
        var signature = Convert.ToHexStringLower(AWS4Signer.SignBlob(signingKey, stringToSign));
        CryptographicOperations.ZeroMemory(signingKey);
        return (stringToSign, signature);
    }

    /// <summary>The canonical URI of an escaped request path (each segment decoded, then encoded the SigV4 way).</summary>
    public static string CanonicalUri(string escapedPath, bool doubleEncode) =>
        CanonicalizePath(escapedPath, doubleEncode).Canonical;

    /// <summary>The canonical query string of an escaped query (with or without its leading <c>?</c>).</summary>
    public static string CanonicalQuery(string escapedQuery) => CanonicalizeQuery(escapedQuery).Canonical;

    /// <summary>A header value as the canonical request holds it: trimmed, inner whitespace runs folded.</summary>
    public static string CanonicalHeaderValue(string value) => NormalizeValue(value);

    /// <summary>
    /// Percent-encodes the way SigV4 specifies: UTF-8 bytes, every byte but the unreserved
    /// <c>A-Z a-z 0-9 - _ . ~</c> as <c>%XX</c> with upper-case hex.
    /// </summary>
    public static string UriEncode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(value.Length);
        Span<byte> bytes = stackalloc byte[4];
        foreach (var rune in value.EnumerateRunes())
        {
            var count = rune.EncodeToUtf8(bytes);
            for (var i = 0; i < count; i++)
            {
                var b = bytes[i];
                if (IsUnreserved(b)) builder.Append((char)b);
                else builder.Append('%').Append(HexUpper[b >> 4]).Append(HexUpper[b & 0xF]);
            }
        }
        return builder.ToString();
    }

    private const string HexUpper = "0123456789ABCDEF";

    private static bool IsUnreserved(byte b) =>
        b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9'
            or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~';

    // The path as the Uri holds it is escaped; each segment is decoded to its raw text, then encoded once for the
    // wire and (except for S3) once more for the canonical request. Splitting before decoding keeps an encoded
    // slash (%2F) inside its segment.
    private static (string Wire, string Canonical) CanonicalizePath(string escapedPath, bool doubleEncode)
    {
        if (escapedPath.Length == 0 || escapedPath == "/") return ("/", "/");
        var segments = escapedPath.Split('/');
        var wire = new string[segments.Length];
        var canonical = new string[segments.Length];
        for (var i = 0; i < segments.Length; i++)
        {
            wire[i] = UriEncode(Uri.UnescapeDataString(segments[i]));
            canonical[i] = doubleEncode ? UriEncode(wire[i]) : wire[i];
        }
        var wirePath = string.Join('/', wire);
        var canonicalPath = string.Join('/', canonical);
        return (wirePath.StartsWith('/') ? wirePath : "/" + wirePath, canonicalPath.StartsWith('/') ? canonicalPath : "/" + canonicalPath);
    }

    // Each name and value is decoded, then encoded once ('+' stays a literal plus); the wire keeps the caller's
    // order, the canonical form sorts by encoded name, then encoded value.
    private static (string Wire, string Canonical) CanonicalizeQuery(string escapedQuery)
    {
        var query = escapedQuery.StartsWith('?') ? escapedQuery[1..] : escapedQuery;
        if (query.Length == 0) return ("", "");
        var pairs = new List<(string Name, string Value)>();
        foreach (var part in query.Split('&'))
        {
            if (part.Length == 0) continue;
            var equals = part.IndexOf('=');
            var name = equals < 0 ? part : part[..equals];
            var value = equals < 0 ? "" : part[(equals + 1)..];
            pairs.Add((UriEncode(Uri.UnescapeDataString(name)), UriEncode(Uri.UnescapeDataString(value))));
        }
        var wire = string.Join('&', pairs.Select(p => $"{p.Name}={p.Value}"));
        var canonical = string.Join('&', pairs
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value}"));
        return (wire, canonical);
    }

    private static (string Canonical, string Signed) CanonicalizeHeaders(HttpRequestMessage request)
    {
        var byName = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        void Collect(HttpHeadersNonValidated headers)
        {
            foreach (var (name, values) in headers)
            {
                if (UnsignedHeaders.Contains(name)) continue;
                var key = name.ToLowerInvariant();
                if (!byName.TryGetValue(key, out var list)) byName[key] = list = [];
                foreach (var value in values) list.Add(NormalizeValue(value));
            }
        }
        Collect(request.Headers.NonValidated);
        if (request.Content is not null) Collect(request.Content.Headers.NonValidated);

        var canonical = new StringBuilder();
        foreach (var (name, values) in byName)
            canonical.Append(name).Append(':').Append(string.Join(',', values)).Append('\n');
        return (canonical.ToString(), string.Join(';', byName.Keys));
    }

    // Trim, and fold every run of whitespace (a folded multi-line value included) into one space.
    private static string NormalizeValue(string value)
    {
        var builder = new StringBuilder(value.Length);
        var pendingSpace = false;
        foreach (var c in value.AsSpan().Trim())
        {
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                pendingSpace = true;
                continue;
            }
            if (pendingSpace) builder.Append(' ');
            pendingSpace = false;
            builder.Append(c);
        }
        return builder.ToString();
    }
}
