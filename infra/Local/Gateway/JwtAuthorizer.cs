using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;

namespace Serverless.Local.Gateway;

/// <summary>
/// API Gateway HTTP API's JWT authorizer (<c>AuthorizerType: JWT</c>, identity source
/// <c>$request.header.Authorization</c>), run locally.
/// </summary>
/// <remarks>
/// The checks follow AWS's documented workflow, in its order: take the token from the identity
/// source, with or without a <c>Bearer </c> prefix; decode it; check its RSA algorithm and
/// signature against the key its <c>kid</c> names in the issuer's JWKS; then <c>iss</c>,
/// <c>aud</c> (or <c>client_id</c> when there is no <c>aud</c>), <c>exp</c>, <c>nbf</c>,
/// <c>iat</c> against the current UTC time with no clock skew allowance, and last the route's
/// authorization scopes against <c>scope</c> or <c>scp</c>. Every failure but the last is a 401
/// <c>{"message":"Unauthorized"}</c>; a token lacking every scope the route asks for is a 403
/// <c>{"message":"Forbidden"}</c>.
/// </remarks>
public sealed partial class JwtAuthorizer
{
    /// <summary>The body of every 401 answer.</summary>
    public const string UnauthorizedBody = "{\"message\":\"Unauthorized\"}";

    /// <summary>The body of the 403 answer to a token without the route's scopes.</summary>
    public const string ForbiddenBody = "{\"message\":\"Forbidden\"}";

    /// <summary>The one error description AWS documents verbatim.</summary>
    public const string InvalidAudience = "the token does not have a valid audience";

    internal const string NoToken = "no token was provided";
    internal const string Malformed = "the token is malformed";
    internal const string UnsupportedAlgorithm = "the token's signing algorithm is not supported";
    internal const string UnknownKey = "the token's key ID does not match any key of the issuer";
    internal const string InvalidSignature = "the token's signature is invalid";
    internal const string KeysUnavailable = "the issuer's signing keys could not be retrieved";
    internal const string InvalidIssuer = "the token does not have a valid issuer";
    internal const string Expired = "the token has expired";
    internal const string NoExpiry = "the token does not have an expiry";
    internal const string NotYetValid = "the token is not valid yet";
    internal const string IssuedInFuture = "the token was issued in the future";
    internal const string InvalidClaim = "the token has an invalid time claim";
    internal const string InsufficientScope = "the token does not have a valid scope";

    // "Currently, only RSA-based algorithms are supported." (PKCS#1 v1.5 RS* only; see the report.)
    private static readonly Dictionary<string, HashAlgorithmName> Algorithms = new(StringComparer.Ordinal)
    {
        ["RS256"] = HashAlgorithmName.SHA256,
        ["RS384"] = HashAlgorithmName.SHA384,
        ["RS512"] = HashAlgorithmName.SHA512,
    };

    private readonly JwksCache keys;
    private readonly TimeProvider time;
    private readonly HashSet<string> audiences;

    /// <summary>
    /// Each key's verifier, by the key object of the set it was fetched in: a set fetched again (a rotated or replaced key)
    /// gets new key objects, so nothing verified with the old one carries over.
    /// </summary>
    private readonly ConditionalWeakTable<RsaSigningKey, KeyVerifier> verifiers = new();

    /// <param name="issuer">The authorizer's <c>JwtConfiguration.Issuer</c>; a token's <c>iss</c> must equal it exactly.</param>
    /// <param name="audiences">The authorizer's <c>JwtConfiguration.Audience</c> entries.</param>
    /// <param name="keys">Where the issuer's signing keys come from.</param>
    /// <param name="time">The clock <c>exp</c>, <c>nbf</c> and <c>iat</c> are checked against.</param>
    public JwtAuthorizer(string issuer, IReadOnlyList<string> audiences, JwksCache keys, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(issuer);
        ArgumentNullException.ThrowIfNull(audiences);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(time);
        Issuer = issuer;
        Audiences = [.. audiences];
        this.audiences = new HashSet<string>(audiences, StringComparer.Ordinal);
        this.keys = keys;
        this.time = time;
    }

    /// <summary>
    /// An authorizer that fetches the issuer's keys over HTTP, from <paramref name="jwksUri"/> or,
    /// when null, from <see cref="DefaultJwksUri"/> (where Cognito user pools publish them).
    /// </summary>
    public JwtAuthorizer(string issuer, IReadOnlyList<string> audiences, HttpClient http, TimeProvider time, Uri? jwksUri = null)
        : this(issuer, audiences, JwksCache.FromHttp(http, jwksUri ?? DefaultJwksUri(issuer), time), time)
    {
    }

    /// <summary>The issuer a token's <c>iss</c> must equal.</summary>
    public string Issuer { get; }

    /// <summary>The audiences a token's <c>aud</c> (or <c>client_id</c>) must name one of.</summary>
    public IReadOnlyList<string> Audiences { get; }

    /// <summary><c>{issuer}/.well-known/jwks.json</c>, where a Cognito user pool publishes its keys.</summary>
    public static Uri DefaultJwksUri(string issuer)
    {
        ArgumentException.ThrowIfNullOrEmpty(issuer);
        return new Uri(issuer.TrimEnd('/') + "/.well-known/jwks.json", UriKind.Absolute);
    }

    /// <summary>Authorizes one request to a route that uses this authorizer, in the order the class remarks give.</summary>
    /// <param name="authorizationHeader">The request's <c>Authorization</c> header, or null when it has none.</param>
    /// <param name="routeScopes">The route's <c>AuthorizationScopes</c>; empty when it declares none.</param>
    /// <param name="ct">Cancels a key set fetch.</param>
    public async Task<AuthorizerResult> AuthorizeAsync(string? authorizationHeader, IReadOnlyList<string> routeScopes,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(routeScopes);
        var challenge = $"Bearer scope=\"{string.Join(' ', routeScopes)}\"";

        if (CompactJwt.ReadToken(authorizationHeader) is not { } token)
        {
            return new AuthorizerResult.Denied(401, UnauthorizedBody, challenge, NoToken);
        }

        if (!CompactJwt.TryDecode(token, out var decoded))
        {
            return InvalidToken(challenge, new Rejection(Malformed));
        }

        using (decoded.Header)
        using (decoded.Payload)
        {
            var payload = decoded.Payload.RootElement;
            var rejection = await VerifySignatureAsync(token, decoded, ct).ConfigureAwait(false) ?? CheckClaims(payload);
            return rejection is null ? CheckScopes(payload, routeScopes, challenge) : InvalidToken(challenge, rejection);
        }
    }

    /// <summary>Why a token is refused with a 401: the description the client is told, and what the log is told.</summary>
    private sealed record Rejection(string Description, string? Detail = null);

    private static AuthorizerResult.Denied InvalidToken(string challenge, Rejection rejection) => new(401, UnauthorizedBody,
        $"{challenge} error=\"invalid_token\" error_description=\"{rejection.Description}\"",
        rejection.Detail ?? rejection.Description);

    /// <summary>The header's RSA algorithm and key id, then the signature against that key of the issuer's key set.</summary>
    private async Task<Rejection?> VerifySignatureAsync(string compact, CompactJwt token, CancellationToken ct)
    {
        var header = token.Header.RootElement;
        if (Text(header, "alg") is not { } alg || !Algorithms.TryGetValue(alg, out var hash))
        {
            return new Rejection(UnsupportedAlgorithm);
        }

        if (Text(header, "kid") is not { Length: > 0 } kid)
        {
            return new Rejection(UnknownKey);
        }

        RsaSigningKey? key;
        try
        {
            key = await keys.FindKeyAsync(kid, ct).ConfigureAwait(false);
        }
        catch (JwksUnavailableException e)
        {
            return new Rejection(KeysUnavailable, KeysUnavailable + ": " + e.Message);
        }

        if (key is null)
        {
            return new Rejection(UnknownKey);
        }

        var signed = (key.Algorithm is null || key.Algorithm == alg)
            && verifiers.GetValue(key, created => new KeyVerifier(created)).Verify(compact, token, hash);
        return signed ? null : new Rejection(InvalidSignature);
    }

    /// <summary>
    /// One key's RSA signature checks: the key imported once, and each token's outcome remembered, as a client sends the same
    /// token on every request until it expires (the claims, the time ones above all, are still checked on every request).
    /// </summary>
    private sealed class KeyVerifier(RsaSigningKey key)
    {
        /// <summary>Enough for every user of a local cloud; past it the outcomes start over rather than grow.</summary>
        private const int MaxRemembered = 4096;

        private readonly Lazy<RSA?> rsa = new(() => Import(key));
        private readonly ConcurrentDictionary<string, bool> outcomes = new(StringComparer.Ordinal);

        /// <param name="compact">The token as sent: its header (so its algorithm), payload and signature.</param>
        public bool Verify(string compact, CompactJwt token, HashAlgorithmName hash)
        {
            if (outcomes.TryGetValue(compact, out var signed)) return signed;
            signed = Check(token.SigningInput, token.Signature, hash);
            if (outcomes.Count >= MaxRemembered) outcomes.Clear();
            outcomes[compact] = signed;
            return signed;
        }

        private bool Check(byte[] signingInput, byte[] signature, HashAlgorithmName hash)
        {
            if (rsa.Value is not { } publicKey) return false;
            try
            {
                // An RSA object is not documented as safe for concurrent use.
                lock (publicKey) return publicKey.VerifyData(signingInput, signature, hash, RSASignaturePadding.Pkcs1);
            }
            catch (CryptographicException)
            {
                return false;
            }
        }

        /// <summary>The key as an RSA object; null when its modulus and exponent make no RSA key (no signature verifies).</summary>
        private static RSA? Import(RsaSigningKey key)
        {
            try
            {
                return RSA.Create(key.Parameters);
            }
            catch (CryptographicException)
            {
                return null;
            }
        }
    }
}
