using System.Net;
using System.Text.Json;

namespace Serverless.Kernel.Aws;

/// <summary>
/// Reads an AWS JSON error answer (awsJson1_0, awsJson1_1 and restJson1 alike): the code from <c>x-amzn-ErrorType</c>,
/// else the body's <c>code</c> or <c>__type</c>; the message from <c>message</c>, <c>Message</c> or <c>errorMessage</c>;
/// the request id from <c>x-amzn-RequestId</c> or <c>x-amz-request-id</c>.
/// </summary>
internal static class AwsErrorParser
{
    /// <summary>Makes the exception for one error; <paramref name="body"/> is the parsed JSON object, when the body was one.</summary>
    public delegate AwsServiceException Factory(string errorCode, string message, HttpStatusCode statusCode,
        string? requestId, JsonElement? body);

    public static AwsServiceException Parse(HttpResponseMessage response, ReadOnlySpan<byte> body, Factory? factory = null)
    {
        factory ??= static (code, message, status, requestId, _) => new AwsServiceException(code, message, status, requestId);
        var requestId = Header(response, "x-amzn-RequestId") ?? Header(response, "x-amz-request-id");
        string? code = Header(response, "x-amzn-ErrorType");
        try
        {
            var reader = new Utf8JsonReader(body);
            if (body.Length > 0 && JsonDocument.TryParseValue(ref reader, out var document))
            {
                using (document)
                {
                    var root = document.RootElement;
                    if (root.ValueKind == JsonValueKind.Object)
                    {
                        code ??= String(root, "code") ?? String(root, "__type");
                        var message = String(root, "message") ?? String(root, "Message") ?? String(root, "errorMessage");
                        return factory(ErrorCode(code), message ?? StatusLine(response), response.StatusCode, requestId, root);
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML page, say): the status line is all there is.
        }
        return factory(ErrorCode(code), StatusLine(response), response.StatusCode, requestId, null);
    }

    /// <summary><c>aws.protocoltests#FooError:http://internal.amazon.com/...</c> → <c>FooError</c>.</summary>
    public static string? SanitizeErrorCode(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw)) return null;
        var code = raw.Trim();
        var colon = code.IndexOf(':');
        if (colon >= 0) code = code[..colon];
        var hash = code.LastIndexOf('#');
        if (hash >= 0) code = code[(hash + 1)..];
        return code.Length == 0 ? null : code;
    }

    public static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string ErrorCode(string? raw) => SanitizeErrorCode(raw) ?? AwsServiceException.UnknownErrorCode;

    private static string StatusLine(HttpResponseMessage response) => $"{(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
