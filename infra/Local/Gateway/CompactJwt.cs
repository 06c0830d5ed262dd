using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Serverless.Local.Gateway;

/// <summary>
/// A JWT in compact serialization (<c>header.payload.signature</c>, each part base64url without padding),
/// decoded: the header and payload as JSON objects, the bytes the signature covers and the signature.
/// </summary>
internal readonly record struct CompactJwt(JsonDocument Header, JsonDocument Payload, byte[] SigningInput, byte[] Signature)
{
    /// <summary>
    /// The token in an <c>Authorization</c> header, with or without a <c>Bearer </c> prefix; null when
    /// the header is missing, blank or only the prefix.
    /// </summary>
    public static string? ReadToken(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }

        var token = header.Trim();
        if (token.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (token.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            token = token["Bearer ".Length..].Trim();
        }

        return token;
    }

    /// <summary>
    /// Decodes a token: three parts, the first two base64url JSON objects and the third base64url, none padded.
    /// On success the caller owns (and disposes) <see cref="Header"/> and <see cref="Payload"/>.
    /// </summary>
    public static bool TryDecode(string token, out CompactJwt decoded)
    {
        decoded = default;
        var parts = token.Split('.');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            return false;
        }

        if (ParseObject(parts[0]) is not { } header)
        {
            return false;
        }

        if (ParseObject(parts[1]) is not { } payload)
        {
            header.Dispose();
            return false;
        }

        if (DecodeSegment(parts[2]) is not { } signature)
        {
            header.Dispose();
            payload.Dispose();
            return false;
        }

        decoded = new CompactJwt(header, payload, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature);
        return true;
    }

    private static JsonDocument? ParseObject(string segment)
    {
        if (DecodeSegment(segment) is not { } bytes)
        {
            return null;
        }

        try
        {
            var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static byte[]? DecodeSegment(string segment)
    {
        if (segment.Contains('='))
        {
            return null;
        }

        try
        {
            return Base64Url.DecodeFromChars(segment);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
