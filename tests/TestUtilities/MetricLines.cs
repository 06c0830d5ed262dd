using System.Text.Json;
using Serverless.Kernel.Metrics;

namespace Serverless.TestUtilities;

/// <summary>Reads the EMF lines an <see cref="InvocationMetrics"/> writes, as CloudWatch would.</summary>
public static class MetricLines
{
    /// <summary>Flushes <paramref name="metrics"/> and parses each line it wrote.</summary>
    public static IReadOnlyList<JsonElement> Flush(InvocationMetrics metrics, DateTimeOffset? timestamp = null)
    {
        var lines = new List<string>();
        metrics.Flush(new LineStream(lines.Add), timestamp ?? DateTimeOffset.UtcNow);
        return lines.Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();
    }

    /// <summary>
    /// Every value of the metric <paramref name="name"/> in <paramref name="lines"/>: a line's member is one value or an
    /// array of them, and counts only where the line's <c>_aws</c> metadata declares the metric.
    /// </summary>
    public static IReadOnlyList<double> Values(this IEnumerable<JsonElement> lines, string name) =>
        lines.Where(line => line.GetProperty("_aws").GetProperty("CloudWatchMetrics").EnumerateArray()
                .Any(directive => directive.GetProperty("Metrics").EnumerateArray().Any(m => m.GetProperty("Name").GetString() == name)))
            .SelectMany(line => line.GetProperty(name) is { ValueKind: JsonValueKind.Array } values
                ? values.EnumerateArray().Select(value => value.GetDouble())
                : [line.GetProperty(name).GetDouble()])
            .ToList();
}
