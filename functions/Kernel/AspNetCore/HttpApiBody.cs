namespace Serverless.Kernel.AspNetCore;

/// <summary>
/// Which bodies API Gateway HTTP API carries as text and which as base64: text media types and
/// JSON/XML go as they are; form posts, multipart, binary and compressed bodies go base64.
/// </summary>
public static class HttpApiBody
{
    public static bool IsText(string? contentType, string? contentEncoding = null)
    {
        if (!string.IsNullOrEmpty(contentEncoding) || string.IsNullOrEmpty(contentType)) return false;
        var mediaType = contentType.Split(';')[0].Trim().ToLowerInvariant();
        return mediaType.StartsWith("text/", StringComparison.Ordinal)
            || mediaType is "application/json" or "application/xml" or "application/javascript"
            || mediaType.EndsWith("+json", StringComparison.Ordinal)
            || mediaType.EndsWith("+xml", StringComparison.Ordinal);
    }
}
