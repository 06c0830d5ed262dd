using System.Buffers;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Serverless.ModelServer.Vader;

namespace Serverless.ModelServer;

/// <summary>Error answers in AWS's shapes: restJson1 errors and SageMaker's ModelError for a failing container.</summary>
internal static partial class InvokeEndpoint
{
    /// <summary>
    /// ModelError (424), as SageMaker Runtime reports a container's error: the container's status and body, SageMaker's
    /// message pointing at the endpoint's CloudWatch log group, and the log stream's ARN.
    /// </summary>
    private static Task WriteModelErrorAsync(
        HttpResponse response,
        ModelServerOptions options,
        string endpointName,
        int originalStatus,
        string containerMessage,
        CancellationToken cancellationToken)
    {
        // The body a multi-model-server based container (the Hugging Face toolkit's) answers a failed prediction with.
        var original =
            "{\n" +
            $"    \"code\": {originalStatus},\n" +
            "    \"type\": \"InternalServerException\",\n" +
            $"    \"message\": \"{JsonEncodedText.Encode(containerMessage, JavaScriptEncoder.UnsafeRelaxedJsonEscaping)}\"\n" +
            "}\n";
        var kind = originalStatus < 500 ? "client" : "server";
        var region = options.Region;
        var message =
            $"Received {kind} error ({originalStatus}) from primary with message \"{original}\". " +
            $"See https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#logEventViewer:group=" +
            $"/aws/sagemaker/Endpoints/{endpointName} in account {options.AccountId} for more information.";
        var logStreamArn =
            $"arn:aws:logs:{region}:{options.AccountId}:log-group:/aws/sagemaker/Endpoints/{endpointName}" +
            $":log-stream:{options.Variant}/local";

        return WriteJsonAsync(response, 424, "ModelError", writer =>
        {
            writer.WriteString("Message", Truncate(message));
            writer.WriteNumber("OriginalStatusCode", originalStatus);
            writer.WriteString("OriginalMessage", Truncate(original));
            writer.WriteString("LogStreamArn", logStreamArn);
        }, cancellationToken);
    }

    /// <summary>An AWS restJson1 error: status, <c>x-amzn-ErrorType</c> (when given) and <c>{"Message": "..."}</c>.</summary>
    private static Task WriteAwsErrorAsync(
        HttpResponse response,
        int status,
        string? errorType,
        string message,
        CancellationToken cancellationToken,
        string messageKey = "Message") =>
        WriteJsonAsync(response, status, errorType, writer => writer.WriteString(messageKey, Truncate(message)), cancellationToken);

    private static async Task WriteJsonAsync(
        HttpResponse response,
        int status,
        string? errorType,
        Action<Utf8JsonWriter> writeMembers,
        CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writeMembers(writer);
            writer.WriteEndObject();
        }
        response.StatusCode = status;
        response.ContentType = JsonContentType;
        if (errorType is not null)
        {
            response.Headers["x-amzn-ErrorType"] = errorType;
        }
        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken);
    }

    private static string Truncate(string text)
    {
        if (text.Length <= MaxMessageLength)
        {
            return text;
        }
        var length = char.IsHighSurrogate(text[MaxMessageLength - 1]) ? MaxMessageLength - 1 : MaxMessageLength;
        return text[..length];
    }
}
