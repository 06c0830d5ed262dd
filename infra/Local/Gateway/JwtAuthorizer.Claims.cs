using System.Text.Json;

namespace Serverless.Local.Gateway;

/// <summary>The claim checks that follow a verified signature: issuer, audience, time claims, then scopes.</summary>
public sealed partial class JwtAuthorizer
{
    /// <summary><c>iss</c>, then the audience, then the time claims.</summary>
    private Rejection? CheckClaims(JsonElement payload)
    {
        if (Text(payload, "iss") != Issuer)
        {
            return new Rejection(InvalidIssuer);
        }

        if (!HasValidAudience(payload))
        {
            return new Rejection(InvalidAudience);
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds() / 1000m;
        return TimeCheck(payload, now) is { } timeFailure ? new Rejection(timeFailure) : null;
    }

    /// <summary>A valid token passes a route without scopes, or one of whose scopes it has; else 403.</summary>
    private static AuthorizerResult CheckScopes(JsonElement payload, IReadOnlyList<string> routeScopes, string challenge)
    {
        if (routeScopes.Count == 0)
        {
            return new AuthorizerResult.Allowed(JwtClaimRendering.RenderClaims(payload), null);
        }

        var granted = TokenScopes(payload);
        if (!routeScopes.Any(granted.Contains))
        {
            return new AuthorizerResult.Denied(403, ForbiddenBody,
                $"{challenge} error=\"insufficient_scope\" error_description=\"{InsufficientScope}\"", InsufficientScope);
        }

        return new AuthorizerResult.Allowed(JwtClaimRendering.RenderClaims(payload), granted);
    }

    // aud when the token has one, and client_id only when it has none (as AWS documents).
    private bool HasValidAudience(JsonElement payload)
    {
        if (payload.TryGetProperty("aud", out var aud))
        {
            return aud.ValueKind switch
            {
                JsonValueKind.String => audiences.Contains(aud.GetString()!),
                JsonValueKind.Array => aud.EnumerateArray().Any(a => a.ValueKind == JsonValueKind.String
                    && audiences.Contains(a.GetString()!)),
                _ => false,
            };
        }

        return Text(payload, "client_id") is { } clientId && audiences.Contains(clientId);
    }

    // exp must be after now, nbf and iat at or before it; no clock skew is allowed.
    private static string? TimeCheck(JsonElement payload, decimal now)
    {
        if (!payload.TryGetProperty("exp", out var exp))
        {
            return NoExpiry;
        }

        if (Seconds(exp) is not { } expiresAt)
        {
            return InvalidClaim;
        }

        if (now >= expiresAt)
        {
            return Expired;
        }

        if (payload.TryGetProperty("nbf", out var nbf))
        {
            if (Seconds(nbf) is not { } notBefore)
            {
                return InvalidClaim;
            }

            if (now < notBefore)
            {
                return NotYetValid;
            }
        }

        if (payload.TryGetProperty("iat", out var iat))
        {
            if (Seconds(iat) is not { } issuedAt)
            {
                return InvalidClaim;
            }

            if (now < issuedAt)
            {
                return IssuedInFuture;
            }
        }

        return null;
    }

    private static decimal? Seconds(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var seconds) ? seconds : null;

    // The token's scopes: the space-delimited `scope` claim (or a list), else `scp` the same way.
    private static List<string> TokenScopes(JsonElement payload)
    {
        foreach (var name in (ReadOnlySpan<string>)["scope", "scp"])
        {
            if (!payload.TryGetProperty(name, out var claim))
            {
                continue;
            }

            if (claim.ValueKind == JsonValueKind.String)
            {
                return [.. claim.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
            }

            if (claim.ValueKind == JsonValueKind.Array)
            {
                return [.. claim.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.String).Select(s => s.GetString()!)];
            }
        }

        return [];
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
