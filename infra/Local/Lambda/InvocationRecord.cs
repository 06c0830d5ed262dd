using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serverless.Local.Lambda;

/// <summary>
/// The invocation record Lambda sends to an asynchronous invocation's on-failure destination
/// (<c>version</c> 1.0, <c>requestContext</c> with the condition and the attempts, the request payload, and the
/// last attempt's response). An event given up on before any attempt has no <c>responseContext</c> or <c>responsePayload</c>.
/// </summary>
public sealed record InvocationRecord(FunctionDefinition Function, string RequestId, string Condition, int Attempts, byte[] RequestPayload,
    InvocationResult? LastResult)
{
    public JsonObject ToJson(DateTimeOffset timestamp)
    {
        var record = new JsonObject
        {
            ["version"] = "1.0",
            ["timestamp"] = timestamp.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
            ["requestContext"] = new JsonObject
            {
                ["requestId"] = RequestId,
                ["functionArn"] = $"{Function.Arn}:$LATEST",
                ["condition"] = Condition,
                ["approximateInvokeCount"] = Attempts,
            },
            ["requestPayload"] = Json(RequestPayload),
        };
        if (LastResult is { } response)
        {
            var context = new JsonObject { ["statusCode"] = 200, ["executedVersion"] = "$LATEST" };
            if (response.FunctionError is { } error) context["functionError"] = error;
            record["responseContext"] = context;
            record["responsePayload"] = Json(response.Payload);
        }
        return record;
    }

    /// <summary>Writes <c>{directory}/{timestamp}-{requestId}.json</c> and returns its path.</summary>
    public async Task<string> WriteAsync(string directory, DateTimeOffset timestamp, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory,
            $"{timestamp.UtcDateTime.ToString("yyyyMMdd'T'HHmmss.fff'Z'", CultureInfo.InvariantCulture)}-{RequestId}.json");
        await FailureRecordFile.WriteAsync(path, ToJson(timestamp).ToJsonString(Indented), cancellationToken);
        return path;
    }

    /// <summary>The record as the payload Lambda invokes a destination function with: compact JSON.</summary>
    public byte[] ToPayload(DateTimeOffset timestamp) => JsonSerializer.SerializeToUtf8Bytes(ToJson(timestamp), Compact);

    private static readonly JsonSerializerOptions Indented =
        new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A payload as JSON, or as a JSON string when it is not JSON (a runtime may answer anything).</summary>
    private static JsonNode? Json(byte[] payload)
    {
        try
        {
            return JsonNode.Parse(payload);
        }
        catch (JsonException)
        {
            return JsonValue.Create(System.Text.Encoding.UTF8.GetString(payload));
        }
    }
}
