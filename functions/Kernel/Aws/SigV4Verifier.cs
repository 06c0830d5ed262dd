using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Serverless.Kernel.Aws;

/// <summary>Why <see cref="SigV4Verifier"/> refused a request.</summary>
public enum SigV4Failure
{
    /// <summary>No <c>Authorization</c> header and no presigned query, or one that cannot be parsed.</summary>
    Missing,

    /// <summary>Signed with an access key the verifier does not know.</summary>
    UnknownAccessKey,

    /// <summary>The signature is not the one the known secret gives (tampered request, wrong secret, wrong scope).</summary>
    SignatureMismatch,

    /// <summary>Signed more than <see cref="SigV4Verifier.MaxClockSkew"/> away from now, or a presigned URL past its expiry.</summary>
    Expired,
}

/// <summary>A refusal: the reason and a message in the words AWS uses.</summary>
public sealed record SigV4Refusal(SigV4Failure Failure, string Message);

/// <summary>What a server sees of a request: method, raw target (escaped path and query), headers by name.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="RawTarget">The request target as sent, e.g. <c>/bucket/a%20b?uploads</c>.</param>
/// <param name="Header">A header's value by name (several values joined by a comma); null when absent.</param>
public sealed record SigV4Request(string Method, string RawTarget, Func<string, string?> Header);

/// <summary>
/// Verifies AWS Signature Version 4 as AWS services do, in both forms: the <c>Authorization</c> header and the presigned
/// query (<c>X-Amz-Algorithm</c>, <c>X-Amz-Credential</c>, <c>X-Amz-Date</c>, <c>X-Amz-Expires</c>,
/// <c>X-Amz-SignedHeaders</c>, <c>X-Amz-Signature</c>). The canonical request is rebuilt with <see cref="SigV4"/>'s own
/// canonicalisation, so what the signer produces the verifier accepts. The region of the credential scope is taken as
/// signed: one set of credentials stands for the one local account whatever region a caller is configured with.
/// </summary>
public sealed class SigV4Verifier(string accessKey, string secretKey, string signingName, TimeProvider time)
{
    /// <summary>How far a header-signed request's time may be from now (AWS: 15 minutes).</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(15);

    /// <summary>A presigned URL's longest life (AWS: 7 days).</summary>
    private const int MaxExpires = 604_800;

    private const string UnsignedPayload = "UNSIGNED-PAYLOAD";

    /// <summary>Whether the request carries a signature in either form.</summary>
    public static bool IsSigned(SigV4Request request) =>
        request.Header("Authorization") is not null || QueryValue(request.RawTarget, "X-Amz-Signature") is not null;

    /// <summary>Null when the request is signed with the known credentials; otherwise why not.</summary>
    /// <param name="request">The request as the server received it.</param>
    /// <param name="payloadHash">
    /// The hex SHA-256 of the body (or what the caller declared for it, e.g. S3's <c>x-amz-content-sha256</c>); used by
    /// the header form, a presigned URL signs <c>UNSIGNED-PAYLOAD</c> unless it carries <c>X-Amz-Content-Sha256</c>.
    /// </param>
    public SigV4Refusal? Verify(SigV4Request request, string payloadHash)
    {
        ArgumentNullException.ThrowIfNull(request);
        var parts = request.RawTarget.Split('?', 2);
        var query = parts.Length > 1 ? parts[1] : "";
        return request.Header("Authorization") is { } authorization
            ? VerifyHeader(request, parts[0], query, authorization, payloadHash)
            : QueryValue(request.RawTarget, "X-Amz-Signature") is not null
                ? VerifyPresigned(request, parts[0], query)
                : new SigV4Refusal(SigV4Failure.Missing, "Missing Authentication Token");
    }

    private SigV4Refusal? VerifyHeader(SigV4Request request, string path, string query, string authorization, string payloadHash)
    {
        if (!authorization.StartsWith(SigV4.Algorithm + " ", StringComparison.Ordinal))
            return new SigV4Refusal(SigV4Failure.Missing, "Authorization header requires the AWS4-HMAC-SHA256 algorithm.");
        var fields = authorization[SigV4.Algorithm.Length..].Split(',', StringSplitOptions.TrimEntries)
            .Select(field => field.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
        if (!fields.TryGetValue("Credential", out var credential) || !fields.TryGetValue("SignedHeaders", out var signedHeaders)
            || !fields.TryGetValue("Signature", out var signature))
            return new SigV4Refusal(SigV4Failure.Missing,
                "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.");
        if (request.Header("X-Amz-Date") is not { } amzDate || !TryParseDate(amzDate, out var signedAt))
            return new SigV4Refusal(SigV4Failure.Missing,
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
        var now = time.GetUtcNow();
        if ((signedAt - now).Duration() > MaxClockSkew)
            return new SigV4Refusal(SigV4Failure.Expired,
                $"Signature expired: {amzDate} is now earlier or later than " +
                $"{now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)} by more than 15 minutes.");
        return Check(request, path, query, credential, amzDate, signedHeaders, signature, payloadHash);
    }

    private SigV4Refusal? VerifyPresigned(SigV4Request request, string path, string query)
    {
        var target = request.RawTarget;
        if (QueryValue(target, "X-Amz-Algorithm") != SigV4.Algorithm || QueryValue(target, "X-Amz-Credential") is not { } credential
            || QueryValue(target, "X-Amz-SignedHeaders") is not { } signedHeaders || QueryValue(target, "X-Amz-Date") is not { } amzDate
            || !TryParseDate(amzDate, out var signedAt))
            return new SigV4Refusal(SigV4Failure.Missing,
                "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, " +
                "X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.");
        if (!int.TryParse(QueryValue(target, "X-Amz-Expires"), NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            || expires is < 1 or > MaxExpires)
            return new SigV4Refusal(SigV4Failure.Missing, "X-Amz-Expires must be a number of seconds from 1 to 604800.");
        var now = time.GetUtcNow();
        if (signedAt - now > MaxClockSkew || now > signedAt.AddSeconds(expires))
            return new SigV4Refusal(SigV4Failure.Expired, "Request has expired");
        // The signature is not part of what it signs.
        var signedQuery = string.Join('&', query.Split('&')
            .Where(pair => !Uri.UnescapeDataString(pair.Split('=', 2)[0]).Equals("X-Amz-Signature", StringComparison.Ordinal)));
        return Check(request, path, signedQuery, credential, amzDate, signedHeaders, QueryValue(target, "X-Amz-Signature")!,
            QueryValue(target, "X-Amz-Content-Sha256") ?? UnsignedPayload);
    }

    private SigV4Refusal? Check(SigV4Request request, string path, string query, string credential, string amzDate,
        string signedHeaders, string signature, string payloadHash)
    {
        // Credential: access key / date / region / service / aws4_request.
        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[4] != "aws4_request")
            return new SigV4Refusal(SigV4Failure.Missing, $"Error parsing the X-Amz-Credential parameter: {credential}");
        if (!string.Equals(scope[0], accessKey, StringComparison.Ordinal))
            return new SigV4Refusal(SigV4Failure.UnknownAccessKey, "The security token included in the request is invalid.");
        if (scope[1] != amzDate[..8] || scope[3] != signingName || scope[2].Length == 0)
            return new SigV4Refusal(SigV4Failure.SignatureMismatch,
                $"Credential should be scoped to a valid date, a region and the service '{signingName}'.");
        var names = signedHeaders.Split(';');
        if (!names.Contains("host", StringComparer.Ordinal))
            return new SigV4Refusal(SigV4Failure.SignatureMismatch, "'Host' must be a 'SignedHeader' in the AWS Authorization.");

        var headers = new StringBuilder();
        foreach (var name in names)
            headers.Append(name).Append(':').Append(SigV4.CanonicalHeaderValue(request.Header(name) ?? "")).Append('\n');
        var canonicalRequest = string.Join('\n', request.Method,
            SigV4.CanonicalUri(path, doubleEncode: signingName != "s3"), SigV4.CanonicalQuery(query),
            headers.ToString(), signedHeaders, payloadHash);
        var (_, expected) = SigV4.Signature(secretKey, amzDate, string.Join('/', scope[1..]), canonicalRequest);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature))
            ? null
            : new SigV4Refusal(SigV4Failure.SignatureMismatch,
                "The request signature we calculated does not match the signature you provided. " +
                "Check your key and signing method.");
    }

    private static bool TryParseDate(string amzDate, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);

    /// <summary>A query parameter's decoded value; null when absent.</summary>
    private static string? QueryValue(string rawTarget, string name)
    {
        var parts = rawTarget.Split('?', 2);
        if (parts.Length < 2) return null;
        foreach (var pair in parts[1].Split('&'))
        {
            var nameValue = pair.Split('=', 2);
            if (Uri.UnescapeDataString(nameValue[0]).Equals(name, StringComparison.Ordinal))
                return nameValue.Length > 1 ? Uri.UnescapeDataString(nameValue[1]) : "";
        }
        return null;
    }
}
