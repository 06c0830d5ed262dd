using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serverless.Local.Telemetry;

/// <summary>One value of one metric: what CloudWatch extracts from an EMF document for one dimension set.</summary>
/// <param name="Dimensions">The dimension set's names with their values, sorted by name (the metric's identity).</param>
/// <param name="Unit">A CloudWatch unit; <c>None</c> when the document gives none.</param>
/// <param name="StorageResolution">60 (standard) or 1 (high resolution).</param>
public sealed record MetricSample(string Namespace, string Name, IReadOnlyDictionary<string, string> Dimensions, double Value,
    string Unit, DateTimeOffset Timestamp, int StorageResolution = 60);

/// <summary>
/// CloudWatch's embedded metric format (EMF): a log line that is a JSON object with an <c>_aws</c> member
/// (<c>Timestamp</c> in epoch milliseconds and <c>CloudWatchMetrics</c>, an array of metric directives). Each directive names a
/// <c>Namespace</c>, its <c>Dimensions</c> (an array of dimension sets, each an array of up to 30 member names whose values
/// are strings) and its <c>Metrics</c> (up to 100 definitions: <c>Name</c>, optional <c>Unit</c> and
/// <c>StorageResolution</c> 1 or 60); every name refers to a member of the root, a metric's value being a number or an
/// array of up to 100 numbers. CloudWatch extracts one metric per directive, dimension set and definition, and none from
/// a document that breaks these rules (the line stays a log event): <see cref="Parse"/> does the same.
/// </summary>
public static class EmfDocument
{
    /// <summary>The units CloudWatch takes (MetricDatum's <c>Unit</c>).</summary>
    public static readonly IReadOnlySet<string> Units = new HashSet<string>(StringComparer.Ordinal)
    {
        "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes", "Bits",
        "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second", "Kilobytes/Second",
        "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second",
        "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
    };

    private const int MaxDimensionsPerSet = 30;
    private const int MaxMetricsPerDirective = 100;
    private const int MaxValuesPerMetric = 100;
    private const int MaxDimensionValueLength = 1024;

    /// <summary>True when <paramref name="root"/> claims to be an EMF document (it has an <c>_aws</c> member).</summary>
    public static bool IsEmf(JsonObject root) => root.ContainsKey("_aws");

    /// <summary>The samples of an EMF document, one per value.</summary>
    /// <exception cref="FormatException">The document breaks the specification; its message says which rule.</exception>
    public static IReadOnlyList<MetricSample> Parse(JsonObject root)
    {
        if (root["_aws"] is not JsonObject metadata) throw new FormatException("_aws is not an object.");
        if (metadata["Timestamp"] is not JsonValue timestampValue || !timestampValue.TryGetValue<double>(out var milliseconds))
            throw new FormatException("_aws.Timestamp is not a number of milliseconds since the epoch.");
        var timestamp = DateTimeOffset.FromUnixTimeMilliseconds((long)milliseconds);
        if (metadata["CloudWatchMetrics"] is not JsonArray directives)
            throw new FormatException("_aws.CloudWatchMetrics is not an array.");

        var samples = new List<MetricSample>();
        foreach (var directive in directives)
        {
            if (directive is not JsonObject metricDirective) throw new FormatException("A metric directive is not an object.");
            if (String(metricDirective["Namespace"]) is not { Length: > 0 } ns)
                throw new FormatException("A metric directive has no Namespace.");
            var dimensionSets = DimensionSets(root, metricDirective);
            if (metricDirective["Metrics"] is not JsonArray metrics) throw new FormatException($"{ns}: Metrics is not an array.");
            if (metrics.Count > MaxMetricsPerDirective)
                throw new FormatException($"{ns}: more than {MaxMetricsPerDirective} metric definitions.");
            foreach (var definition in metrics)
            {
                var (name, unit, resolution) = Definition(ns, definition);
                foreach (var value in Values(root, name))
                    foreach (var dimensions in dimensionSets)
                        samples.Add(new MetricSample(ns, name, dimensions, value, unit, timestamp, resolution));
            }
        }
        return samples;
    }

    /// <summary>Each dimension set with the root's values; a directive without <c>Dimensions</c> publishes its metrics with
    /// none, as an empty set does.</summary>
    private static List<IReadOnlyDictionary<string, string>> DimensionSets(JsonObject root, JsonObject directive)
    {
        if (directive["Dimensions"] is null) return [new SortedDictionary<string, string>(StringComparer.Ordinal)];
        if (directive["Dimensions"] is not JsonArray sets) throw new FormatException("Dimensions is not an array of dimension sets.");
        var result = new List<IReadOnlyDictionary<string, string>>();
        foreach (var set in sets)
        {
            if (set is not JsonArray keys) throw new FormatException("A dimension set is not an array.");
            if (keys.Count > MaxDimensionsPerSet)
                throw new FormatException($"A dimension set has more than {MaxDimensionsPerSet} dimensions.");
            var dimensions = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var key in keys)
            {
                if (String(key) is not { Length: > 0 } name) throw new FormatException("A dimension name is not a string.");
                if (String(root[name]) is not { Length: > 0 and <= MaxDimensionValueLength } value)
                    throw new FormatException($"Dimension {name} has no string value (1 to {MaxDimensionValueLength} characters).");
                dimensions[name] = value;
            }
            result.Add(dimensions);
        }
        if (result.Count == 0) result.Add(new SortedDictionary<string, string>(StringComparer.Ordinal));
        return result;
    }

    private static (string Name, string Unit, int Resolution) Definition(string ns, JsonNode? definition)
    {
        if (definition is not JsonObject metric || String(metric["Name"]) is not { Length: > 0 } name)
            throw new FormatException($"{ns}: a metric definition has no Name.");
        var unit = metric["Unit"] is null ? "None" : String(metric["Unit"]);
        if (unit is null || !Units.Contains(unit))
            throw new FormatException($"{name}: Unit {metric["Unit"]?.ToJsonString()} is not a CloudWatch unit.");
        var resolution = 60;
        if (metric["StorageResolution"] is { } given && (given.GetValueKind() != JsonValueKind.Number
            || !given.AsValue().TryGetValue(out resolution) || resolution is not (1 or 60)))
            throw new FormatException($"{name}: StorageResolution is neither 1 nor 60.");
        return (name, unit, resolution);
    }

    /// <summary>The metric's member: a number, or an array of up to 100 numbers.</summary>
    private static IReadOnlyList<double> Values(JsonObject root, string name) => root[name] switch
    {
        JsonValue value when Number(value) is { } number => [number],
        JsonArray { Count: > 0 and <= MaxValuesPerMetric } values when values.All(item => item is JsonValue v && Number(v) is not null) =>
            values.Select(item => Number(item!.AsValue())!.Value).ToList(),
        null => throw new FormatException($"Metric {name} has no member in the document."),
        _ => throw new FormatException($"Metric {name} is neither a number nor an array of 1 to {MaxValuesPerMetric} numbers."),
    };

    private static double? Number(JsonValue value) =>
        value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<double>(out var number) ? number : null;

    private static string? String(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}
