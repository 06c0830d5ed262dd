using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serverless.Local.Telemetry;

/// <summary>
/// One line a function printed, as a log record: a JSON line in Lambda's JSON log format
/// (<see cref="Serverless.Kernel.Logging.LambdaJsonLoggerProvider"/>: <c>timestamp</c>, <c>level</c>, <c>message</c>,
/// <c>requestId</c>, <c>traceId</c> and the rest as attributes), or any other text as its message with no level.
/// </summary>
public sealed record FunctionLogLine(DateTimeOffset? Timestamp, string? Level, string Message, string? RequestId, string? TraceId,
    IReadOnlyDictionary<string, string> Attributes)
{
    /// <summary>OpenTelemetry's severity number for <see cref="Level"/> (TRACE 1, DEBUG 5, INFO 9, WARN 13, ERROR 17,
    /// FATAL 21); 0 (unspecified) for a line without one.</summary>
    public int SeverityNumber => Level?.ToUpperInvariant() switch
    {
        "TRACE" => 1,
        "DEBUG" => 5,
        "INFO" => 9,
        "WARN" or "WARNING" => 13,
        "ERROR" => 17,
        "FATAL" or "CRITICAL" => 21,
        _ => 0,
    };

    /// <summary>A JSON object line's known members, the rest as attributes (nested values as their JSON).</summary>
    public static FunctionLogLine FromJson(JsonObject line)
    {
        var attributes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in line)
            if (key is not ("timestamp" or "level" or "message" or "requestId" or "traceId") && value is not null)
                attributes[key] = value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
        return new FunctionLogLine(
            DateTimeOffset.TryParse(Text(line["timestamp"]), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                ? at : null,
            Text(line["level"]), Text(line["message"]) ?? line.ToJsonString(), Text(line["requestId"]), Text(line["traceId"]),
            attributes);
    }

    /// <summary>A line that is not a JSON object: its text, nothing else known.</summary>
    public static FunctionLogLine FromText(string line) => new(null, null, line, null, null, new Dictionary<string, string>());

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : node?.ToJsonString();
}
