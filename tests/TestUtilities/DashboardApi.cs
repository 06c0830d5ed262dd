using System.Text.Json;

namespace Serverless.TestUtilities;

/// <summary>
/// Reads what the Aspire dashboard's telemetry API answers (<c>/api/telemetry/spans</c>, <c>/logs</c>: OTLP JSON under
/// <c>data</c>), and waits for telemetry, which arrives a moment after the invocation it describes.
/// </summary>
public static class DashboardApi
{
    /// <summary>The spans (<c>resourceSpans</c>, <c>scopeSpans</c>, <c>spans</c>) or log records (<c>resourceLogs</c>,
    /// <c>scopeLogs</c>, <c>logRecords</c>) of an answer.</summary>
    public static List<JsonElement> Items(JsonElement answer, string resources, string scopes, string items) =>
        [.. answer.GetProperty("data").GetProperty(resources).EnumerateArray()
            .SelectMany(resource => resource.GetProperty(scopes).EnumerateArray())
            .SelectMany(scope => scope.GetProperty(items).EnumerateArray())];

    /// <summary>A span's or log record's string attribute; null when it has none of that key.</summary>
    public static string? Attribute(JsonElement item, string key) => item.GetProperty("attributes").EnumerateArray()
        .Where(attribute => attribute.GetProperty("key").GetString() == key)
        .Select(attribute => attribute.GetProperty("value").GetProperty("stringValue").GetString()).FirstOrDefault();

    /// <summary>Reads until <paramref name="done"/> holds, a minute at most.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        for (var giveUp = DateTime.UtcNow.AddMinutes(1); ; await Task.Delay(100))
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > giveUp) throw new TimeoutException($"Still waiting for {what}.");
        }
    }
}
