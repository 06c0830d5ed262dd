using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Serverless.Local.Gateway;

/// <summary>
/// How API Gateway renders a JWT's claims for <c>requestContext.authorizer.jwt.claims</c> (payload format 2.0).
/// </summary>
public static class JwtClaimRendering
{
    /// <summary>
    /// Renders every claim as the string API Gateway passes in <c>requestContext.authorizer.jwt.claims</c>.
    /// </summary>
    public static IReadOnlyDictionary<string, string> RenderClaims(JsonElement payload)
    {
        var claims = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var claim in payload.EnumerateObject())
        {
            if (claim.Value.ValueKind != JsonValueKind.Null)
            {
                claims[claim.Name] = RenderClaim(claim.Value);
            }
        }

        return claims;
    }

    /// <summary>
    /// One claim value as a string: a string as it is, a number as its JSON text, a boolean as
    /// "true"/"false", an array as its elements rendered the same way, space-separated in brackets
    /// (<c>["admin","editor"]</c> → <c>[admin editor]</c>), and an object as its JSON text.
    /// </summary>
    public static string RenderClaim(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "[" + string.Join(' ', value.EnumerateArray().Select(RenderClaim)) + "]",
        _ => CompactJson(value),
    };

    private static string CompactJson(JsonElement value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            value.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
