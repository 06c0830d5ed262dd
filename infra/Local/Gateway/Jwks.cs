using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;

namespace Serverless.Local.Gateway;

/// <summary>One RSA signing key from an issuer's JSON Web Key Set.</summary>
/// <param name="KeyId">The key's <c>kid</c>, which a token names in its header.</param>
/// <param name="Algorithm">The key's <c>alg</c> when the set names one (Cognito writes <c>RS256</c>).</param>
/// <param name="Parameters">The public modulus and exponent.</param>
public sealed record RsaSigningKey(string KeyId, string? Algorithm, RSAParameters Parameters);

/// <summary>
/// The RSA signing keys an issuer publishes at its <c>jwks_uri</c>, by <c>kid</c>.
/// </summary>
/// <remarks>
/// Only keys that can verify an RS* signature are kept: <c>kty</c> "RSA", a <c>use</c> that is
/// absent or "sig", and a <c>kid</c>, <c>n</c> and <c>e</c>. Every other entry (EC keys,
/// encryption keys, keys without an id) is skipped, as a token could never be verified with it.
/// </remarks>
public sealed class JsonWebKeySet
{
    private readonly Dictionary<string, RsaSigningKey> keys;

    private JsonWebKeySet(Dictionary<string, RsaSigningKey> keys) => this.keys = keys;

    /// <summary>The ids of the usable keys in the set.</summary>
    public IReadOnlyCollection<string> KeyIds => keys.Keys;

    /// <summary>Finds the key a token's <c>kid</c> names.</summary>
    public bool TryGetKey(string kid, out RsaSigningKey key) => keys.TryGetValue(kid, out key!);

    /// <summary>Reads a JWKS document (<c>{"keys":[...]}</c>).</summary>
    /// <exception cref="FormatException">The text is not a JWKS document.</exception>
    public static JsonWebKeySet Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException("The JWKS document is not valid JSON.", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("keys", out var list)
                || list.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("The JWKS document has no \"keys\" array.");
            }

            var keys = new Dictionary<string, RsaSigningKey>(StringComparer.Ordinal);
            foreach (var entry in list.EnumerateArray())
            {
                if (TryReadRsaKey(entry, out var key))
                {
                    keys.TryAdd(key.KeyId, key);
                }
            }

            return new JsonWebKeySet(keys);
        }
    }

    private static bool TryReadRsaKey(JsonElement entry, out RsaSigningKey key)
    {
        key = null!;
        if (entry.ValueKind != JsonValueKind.Object
            || Text(entry, "kty") != "RSA"
            || Text(entry, "kid") is not { Length: > 0 } kid)
        {
            return false;
        }

        var use = Text(entry, "use");
        if (use is not null && use != "sig")
        {
            return false;
        }

        var modulus = Bytes(Text(entry, "n"));
        var exponent = Bytes(Text(entry, "e"));
        if (modulus is not { Length: > 0 } || exponent is not { Length: > 0 })
        {
            return false;
        }

        key = new RsaSigningKey(kid, Text(entry, "alg"), new RSAParameters { Modulus = modulus, Exponent = exponent });
        return true;
    }

    private static string? Text(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static byte[]? Bytes(string? base64Url)
    {
        if (base64Url is null)
        {
            return null;
        }

        try
        {
            return Base64Url.DecodeFromChars(base64Url);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>
/// An issuer's key set, fetched on first use, kept for <see cref="DefaultLifetime"/> (API Gateway
/// documents that it may cache an issuer's public keys for two hours) and fetched again, once per
/// lookup, when a token names a <c>kid</c> the cached set lacks, so a rotated key is picked up.
/// </summary>
public sealed class JwksCache
{
    /// <summary>How long a fetched key set is trusted before it is fetched again.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(2);

    private readonly Func<CancellationToken, Task<string>> fetch;
    private readonly TimeProvider time;
    private readonly TimeSpan lifetime;
    private readonly SemaphoreSlim gate = new(1, 1);
    private JsonWebKeySet? current;
    private DateTimeOffset fetchedAt;
    private long generation;
    private int fetchCount;

    /// <param name="fetch">Returns the JWKS document's text; an exception means the keys are unavailable.</param>
    /// <param name="time">The clock the cache lifetime is measured on.</param>
    /// <param name="lifetime">How long a fetched set is kept; <see cref="DefaultLifetime"/> when null.</param>
    public JwksCache(Func<CancellationToken, Task<string>> fetch, TimeProvider time, TimeSpan? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(fetch);
        ArgumentNullException.ThrowIfNull(time);
        this.fetch = fetch;
        this.time = time;
        this.lifetime = lifetime ?? DefaultLifetime;
    }

    /// <summary>A cache that GETs the key set from <paramref name="jwksUri"/>.</summary>
    public static JwksCache FromHttp(HttpClient http, Uri jwksUri, TimeProvider time, TimeSpan? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(jwksUri);
        return new JwksCache(
            async ct =>
            {
                using var response = await http.GetAsync(jwksUri, ct).ConfigureAwait(false);
                response.EnsureSuccessStatusCode();
                return await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            },
            time,
            lifetime);
    }

    /// <summary>How many times the key set has been fetched.</summary>
    public int FetchCount => Volatile.Read(ref fetchCount);

    /// <summary>
    /// Finds the key named <paramref name="kid"/>, fetching the set when none is cached or the cached
    /// one is stale, and fetching it once more when the cached set does not hold that key.
    /// </summary>
    /// <returns>The key, or null when the freshly fetched set does not hold it either.</returns>
    /// <exception cref="JwksUnavailableException">The key set could not be fetched or read.</exception>
    public async Task<RsaSigningKey?> FindKeyAsync(string kid, CancellationToken ct)
    {
        var (set, seen, fresh) = await GetAsync(forceAfter: null, ct).ConfigureAwait(false);
        if (set.TryGetKey(kid, out var key))
        {
            return key;
        }

        if (fresh)
        {
            return null;
        }

        (set, _, _) = await GetAsync(forceAfter: seen, ct).ConfigureAwait(false);
        return set.TryGetKey(kid, out key) ? key : null;
    }

    // Returns the cached set, fetching when there is none, when it is stale, or when forceAfter names
    // the generation the caller already looked in (unless another caller has refetched since).
    private async Task<(JsonWebKeySet Set, long Generation, bool Fetched)> GetAsync(long? forceAfter, CancellationToken ct)
    {
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            var stale = current is null || now - fetchedAt >= lifetime;
            if (!stale && (forceAfter is null || forceAfter != generation))
            {
                return (current!, generation, false);
            }

            string text;
            try
            {
                Interlocked.Increment(ref fetchCount);
                text = await fetch(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                throw new JwksUnavailableException("The issuer's JWKS could not be fetched: " + e.Message, e);
            }

            try
            {
                current = JsonWebKeySet.Parse(text);
            }
            catch (FormatException e)
            {
                throw new JwksUnavailableException("The issuer's JWKS could not be read: " + e.Message, e);
            }

            fetchedAt = now;
            generation++;
            return (current, generation, true);
        }
        finally
        {
            gate.Release();
        }
    }
}

/// <summary>The issuer's key set could not be fetched or read.</summary>
public sealed class JwksUnavailableException(string message, Exception inner) : Exception(message, inner);
