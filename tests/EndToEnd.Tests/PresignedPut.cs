using System.Text.Json;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// What <c>fetch(url, {method, headers, body})</c> sends for a presigned request <c>POST /uploads</c> answered: its method,
/// its URL, exactly its headers (Content-Type on the body, If-None-Match on the request) and the body, whose length the
/// HTTP stack sends as Content-Length.
/// </summary>
internal static class PresignedPut
{
    public static HttpRequestMessage Of(JsonElement uploadRequest, byte[] body)
    {
        var request = new HttpRequestMessage(new HttpMethod(uploadRequest.GetProperty("method").GetString()!),
            uploadRequest.GetProperty("url").GetString())
        {
            Content = new ByteArrayContent(body),
        };
        foreach (var header in uploadRequest.GetProperty("headers").EnumerateObject())
            if (!request.Headers.TryAddWithoutValidation(header.Name, header.Value.GetString()))
                request.Content.Headers.TryAddWithoutValidation(header.Name, header.Value.GetString());
        return request;
    }
}
