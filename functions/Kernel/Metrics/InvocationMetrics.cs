using System.Buffers;
using System.Text.Json;

namespace Serverless.Kernel.Metrics;

/// <summary>
/// The metrics one invocation adds, written at its end as CloudWatch Embedded Metric Format (EMF) lines on stdout, from
/// which CloudWatch Logs makes the metrics: no API call, no permission beyond the function's logs. Each line is one JSON
/// document in the shape AWS Lambda Powertools writes:
/// <code>
/// {"_aws":{"Timestamp":1715680600000,"CloudWatchMetrics":[{"Namespace":"Serverless","Dimensions":[["Service"]],
///   "Metrics":[{"Name":"RowsScored","Unit":"Count"}]}]},"Service":"ProcessUpload","RowsScored":[64,12],
///   "function_request_id":"...","xray_trace_id":"..."}
/// </code>
/// <c>Timestamp</c> is in epoch milliseconds; each metric and each dimension is a top-level member (a metric's values a
/// number, or an array of the values added, each a sample); the other members (request and trace id) are searchable in
/// the log but make no metric. The specification's limits are kept: at most <see cref="MaxMetricsPerLine"/> metrics and
/// <see cref="MaxValuesPerMetric"/> values of one metric in a line (more go on further lines), at most
/// <see cref="MaxDimensions"/> dimensions, dimension values strings. Names, units and values CloudWatch would drop are
/// refused when added, so a mistake fails a test rather than losing a metric in production.
/// </summary>
/// <remarks>Thread-safe: a handler's parallel tasks add to the same invocation.</remarks>
public sealed class InvocationMetrics
{
    public const int MaxMetricsPerLine = 100;
    public const int MaxValuesPerMetric = 100;
    public const int MaxDimensions = 30;

    private readonly Lock gate = new();
    private readonly string @namespace;
    private readonly IReadOnlyList<KeyValuePair<string, string>> dimensions;
    private readonly IReadOnlyList<KeyValuePair<string, string>> properties;
    private readonly List<Metric> metrics = [];

    /// <param name="namespace">The CloudWatch namespace: 1-255 characters of letters, digits and <c>. - _ / # :</c> or
    /// space, not starting with <c>AWS/</c> (AWS's own).</param>
    /// <param name="dimensions">The dimensions of every metric, name to value; keep them few (each value combination
    /// is a metric CloudWatch bills).</param>
    /// <param name="properties">Members beside the metrics that make no metric (the request and trace ids).</param>
    public InvocationMetrics(string @namespace, IReadOnlyList<KeyValuePair<string, string>> dimensions,
        IReadOnlyList<KeyValuePair<string, string>>? properties = null)
    {
        ValidateNamespace(@namespace);
        ArgumentNullException.ThrowIfNull(dimensions);
        if (dimensions.Count > MaxDimensions)
            throw new ArgumentException($"{dimensions.Count} dimensions; a metric has at most {MaxDimensions}.", nameof(dimensions));
        foreach (var (name, value) in dimensions)
        {
            ValidateText(name, 255, "dimension name", nameof(dimensions));
            if (name.StartsWith(':')) throw new ArgumentException($"The dimension name '{name}' starts with ':'.", nameof(dimensions));
            ValidateText(value, 1024, $"value of dimension {name}", nameof(dimensions));
        }
        properties ??= [];
        var members = new HashSet<string>(StringComparer.Ordinal) { "_aws" };
        foreach (var name in dimensions.Select(d => d.Key).Concat(properties.Select(p => p.Key)))
            if (!members.Add(name)) throw new ArgumentException($"'{name}' is named twice (or is '_aws').", nameof(dimensions));
        this.@namespace = @namespace;
        this.dimensions = dimensions;
        this.properties = properties;
    }

    /// <summary>Adds a value of the metric <paramref name="name"/>; each value added is a sample of it.</summary>
    /// <exception cref="ArgumentException">A bad name (empty, over 255 characters, or a dimension's or property's), a value
    /// that is not a finite number, or a unit or resolution not the one the metric was first added with.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A unit or resolution CloudWatch does not have.</exception>
    public void Add(string name, double value, MetricUnit unit = MetricUnit.Count,
        StorageResolution resolution = StorageResolution.Standard)
    {
        ValidateText(name, 255, "metric name", nameof(name));
        if (!double.IsFinite(value)) throw new ArgumentException($"The value of {name} is {value}, not a finite number.", nameof(value));
        var unitName = unit.Name();
        if (!Enum.IsDefined(resolution))
            throw new ArgumentOutOfRangeException(nameof(resolution), resolution, "A storage resolution is 1 or 60 seconds.");
        if (name == "_aws" || dimensions.Any(d => d.Key == name) || properties.Any(p => p.Key == name))
            throw new ArgumentException($"'{name}' names a dimension or property of these metrics, not a metric.", nameof(name));
        lock (gate)
        {
            var metric = metrics.Find(m => m.Name == name);
            if (metric is null)
                metrics.Add(metric = new Metric(name, unitName, resolution));
            else if (metric.Unit != unitName || metric.Resolution != resolution)
                throw new ArgumentException(
                    $"{name} was added in {metric.Unit} at {metric.Resolution} resolution; it cannot change.", nameof(unit));
            metric.Values.Add(value);
        }
    }

    /// <summary>
    /// Writes what was added as EMF lines to <paramref name="output"/> (one <see cref="Stream.Write(ReadOnlySpan{byte})"/> a
    /// line) and forgets it; writes nothing when nothing was added.
    /// </summary>
    public void Flush(Stream output, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(output);
        List<Metric> pending;
        lock (gate)
        {
            pending = [.. metrics];
            metrics.Clear();
        }
        var taken = new int[pending.Count];
        var buffer = new ArrayBufferWriter<byte>();
        while (true)
        {
            var line = new List<(Metric Metric, int From, int Count)>();
            for (var i = 0; i < pending.Count && line.Count < MaxMetricsPerLine; i++)
            {
                var count = Math.Min(pending[i].Values.Count - taken[i], MaxValuesPerMetric);
                if (count == 0) continue;
                line.Add((pending[i], taken[i], count));
                taken[i] += count;
            }
            if (line.Count == 0) return;
            buffer.ResetWrittenCount();
            WriteLine(buffer, line, timestamp);
            output.Write(buffer.WrittenSpan);
        }
    }

    private void WriteLine(IBufferWriter<byte> buffer, List<(Metric Metric, int From, int Count)> line, DateTimeOffset timestamp)
    {
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("_aws");
            json.WriteNumber("Timestamp", timestamp.ToUnixTimeMilliseconds());
            json.WriteStartArray("CloudWatchMetrics");
            json.WriteStartObject();
            json.WriteString("Namespace", @namespace);
            json.WriteStartArray("Dimensions");
            json.WriteStartArray();
            foreach (var (name, _) in dimensions) json.WriteStringValue(name);
            json.WriteEndArray();
            json.WriteEndArray();
            json.WriteStartArray("Metrics");
            foreach (var (metric, _, _) in line)
            {
                json.WriteStartObject();
                json.WriteString("Name", metric.Name);
                json.WriteString("Unit", metric.Unit);
                if (metric.Resolution == StorageResolution.High) json.WriteNumber("StorageResolution", (int)StorageResolution.High);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            foreach (var (name, value) in dimensions) json.WriteString(name, value);
            foreach (var (metric, from, count) in line)
            {
                if (count == 1)
                {
                    json.WriteNumber(metric.Name, metric.Values[from]);
                    continue;
                }
                json.WriteStartArray(metric.Name);
                for (var i = from; i < from + count; i++) json.WriteNumberValue(metric.Values[i]);
                json.WriteEndArray();
            }
            foreach (var (name, value) in properties) json.WriteString(name, value);
            json.WriteEndObject();
        }
        buffer.Write("\n"u8);
    }

    private static void ValidateNamespace(string @namespace)
    {
        ValidateText(@namespace, 255, "namespace", nameof(@namespace));
        if (@namespace.StartsWith("AWS/", StringComparison.Ordinal))
            throw new ArgumentException($"The namespace '{@namespace}' is AWS's own (AWS/...).", nameof(@namespace));
        if (@namespace.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '/' or '#' or ':' or ' ')))
            throw new ArgumentException(
                $"The namespace '{@namespace}' has a character CloudWatch does not take (letters, digits, . - _ / # : and space).",
                nameof(@namespace));
    }

    private static void ValidateText(string? text, int maxLength, string what, string parameterName)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new ArgumentException($"The {what} is empty or blank.", parameterName);
        if (text.Length > maxLength)
            throw new ArgumentException($"The {what} '{text[..20]}...' has {text.Length} characters; at most {maxLength}.", parameterName);
    }

    private sealed record Metric(string Name, string Unit, StorageResolution Resolution)
    {
        public List<double> Values { get; } = [];
    }
}
