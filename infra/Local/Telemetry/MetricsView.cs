using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Serverless.Local.Http;

namespace Serverless.Local.Telemetry;

/// <summary>
/// The local cloud's read-only view of the metrics it extracted (<see cref="MetricStore"/>), on a loopback port of its own,
/// in CloudWatch's terms: <c>GET /metrics[?namespace=]</c> lists each metric (namespace, name, dimension set) as
/// <c>ListMetrics</c> does; <c>GET /metrics/statistics?namespace=&amp;name=&amp;dimension=Name:Value</c> gives the statistics
/// of the metric with exactly that dimension set (as <c>GetMetricStatistics</c> matches dimensions), over every sample kept,
/// with each sample and the invocation (request id, trace id) that produced it. Like the other parts of the local cloud
/// it refuses requests a web page sends (an <c>Origin</c> header) and sends no CORS headers.
/// </summary>
public sealed class MetricsView : IAsyncDisposable
{
    private readonly WebApplication app;

    private MetricsView(WebApplication app) => this.app = app;

    public string Endpoint { get; private set; } = "";

    public static async Task<MetricsView> StartAsync(int port, MetricStore store)
    {
        var view = new MetricsView(LocalHttp.Create(port));
        view.app.Use((context, next) => context.Request.Headers.Origin.Count == 0 ? next(context)
            : TypedResults.StatusCode(StatusCodes.Status403Forbidden).ExecuteAsync(context));
        view.app.MapGet("/metrics", (string? @namespace) => List(store, @namespace));
        view.app.MapGet("/metrics/statistics", (string? @namespace, string? name, string[]? dimension) =>
            Statistics(store, @namespace, name, dimension ?? []));
        await view.app.StartAsync();
        view.Endpoint = view.app.Urls.First();
        return view;
    }

    private static JsonHttpResult<MetricSummary[]> List(MetricStore store, string? ns) => TypedResults.Json(
        store.Snapshot()
            .Where(recorded => ns is null || recorded.Sample.Namespace == ns)
            .GroupBy(recorded => Identity(recorded.Sample))
            .Select(metric => new MetricSummary(metric.First().Sample.Namespace, metric.First().Sample.Name,
                metric.First().Sample.Dimensions, metric.Last().Sample.Unit, metric.Count()))
            .OrderBy(metric => metric.Namespace, StringComparer.Ordinal).ThenBy(metric => metric.Name, StringComparer.Ordinal)
            .ToArray(),
        MetricsViewJson.Default.MetricSummaryArray);

    private static Results<JsonHttpResult<MetricStatistics>, ProblemHttpResult> Statistics(MetricStore store, string? ns, string? name,
        string[] dimension)
    {
        if (string.IsNullOrEmpty(ns) || string.IsNullOrEmpty(name))
            return TypedResults.Problem("namespace and name are required.", statusCode: StatusCodes.Status400BadRequest);
        var dimensions = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in dimension)
        {
            if (pair.IndexOf(':') is not (var colon and > 0))
                return TypedResults.Problem($"dimension {pair} is not Name:Value.", statusCode: StatusCodes.Status400BadRequest);
            dimensions[pair[..colon]] = pair[(colon + 1)..];
        }
        var identity = Identity(ns, name, dimensions);
        var samples = store.Snapshot().Where(recorded => Identity(recorded.Sample) == identity).ToList();
        var values = samples.Select(recorded => recorded.Sample.Value).ToList();
        return TypedResults.Json(new MetricStatistics(ns, name, dimensions, values.Count, values.Sum(),
            values.Count == 0 ? null : values.Min(), values.Count == 0 ? null : values.Max(),
            values.Count == 0 ? null : values.Average(),
            samples.Select(recorded => new MetricDatapoint(recorded.Sample.Timestamp, recorded.Sample.Value, recorded.Sample.Unit,
                recorded.FunctionName, recorded.RequestId, recorded.Trace.TraceId, recorded.Trace.Root)).ToArray()),
            MetricsViewJson.Default.MetricStatistics);
    }

    /// <summary>A metric's identity in CloudWatch: namespace, name and the exact dimension set.</summary>
    private static string Identity(string ns, string name, IReadOnlyDictionary<string, string> dimensions) =>
        $"{ns}\n{name}\n{string.Join('\n', dimensions.Select(pair => $"{pair.Key}={pair.Value}"))}";

    private static string Identity(MetricSample sample) => Identity(sample.Namespace, sample.Name, sample.Dimensions);

    public ValueTask DisposeAsync() => app.DisposeAsync();
}

public sealed record MetricSummary(string Namespace, string Name, IReadOnlyDictionary<string, string> Dimensions, string Unit,
    int SampleCount);

public sealed record MetricStatistics(string Namespace, string Name, IReadOnlyDictionary<string, string> Dimensions, int SampleCount,
    double Sum, double? Minimum, double? Maximum, double? Average, MetricDatapoint[] Datapoints);

/// <param name="TraceId">The invocation's trace as OpenTelemetry and the dashboard write it (32 hex digits).</param>
/// <param name="XRayTraceId">The same trace as X-Ray writes it (<c>1-{8 hex}-{24 hex}</c>).</param>
public sealed record MetricDatapoint(DateTimeOffset Timestamp, double Value, string Unit, string FunctionName, string RequestId,
    string TraceId, string XRayTraceId);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(MetricSummary[]))]
[JsonSerializable(typeof(MetricStatistics))]
internal sealed partial class MetricsViewJson : JsonSerializerContext;
