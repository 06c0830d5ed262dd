using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static Serverless.TestUtilities.DashboardApi;
using Serverless.Local.Installers;
using Serverless.Local.Telemetry;
using Serverless.Local.Tests.Lambda;

namespace Serverless.Local.Tests.Telemetry;

/// <summary>
/// The whole path of a function's telemetry: a real function process prints a JSON log line, an EMF line and an invalid one;
/// the local Lambda service reports the invocation; <see cref="LocalTelemetry"/> sends the span and logs to the real Aspire
/// dashboard over OTLP/HTTP (read back through its telemetry API) and keeps the metrics for <see cref="MetricsView"/>.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LocalTelemetryTests : IAsyncLifetime
{
    private const string Caller = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

    /// <summary>Logs as the kernel's JSON logger does (with the trace header it got), emits one EMF document and a broken one.</summary>
    private const string Scoring = "while true; do\n" + ShellFunctions.Next + """

          trace=$(grep -i '^Lambda-Runtime-Trace-Id:' headers | cut -d' ' -f2 | tr -d '\r')
          echo "$trace" > "$PACKAGE_DIR/trace"
          printf '{"timestamp":"2026-12-07T21:30:40.123Z","level":"WARN","message":"Row 3 skipped","requestId":"%s","traceId":"%s"}\n' \
            "$id" "$trace"
          printf '{"_aws":{"Timestamp":%s000,"CloudWatchMetrics":[{"Namespace":"Serverless","Dimensions":[["Service"]],' "$(date +%s)"
          printf '"Metrics":[{"Name":"RowsScored","Unit":"Count"}]}]},"Service":"Uploads","RowsScored":[40,2]}\n'
          echo '{"_aws":{"Timestamp":0,"CloudWatchMetrics":[{"Namespace":"Serverless","Metrics":[{"Name":"Broken"}]}]}}'
          curl -s -X POST -d '{}' "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$id/response"
        done
        """;

    private readonly HttpClient http = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> said = new();
    private ShellFunctions functions = null!;
    private AspireDashboard dashboard = null!;
    private MetricsView view = null!;
    private LocalTelemetry telemetry = null!;

    public async Task InitializeAsync()
    {
        var repoRoot = LocalCloudOptions.FindRepoRoot(AppContext.BaseDirectory);
        dashboard = await AspireDashboard.StartAsync(new EmulatorInstaller(Path.Combine(repoRoot, ".local", "emulators")), 0);
        functions = await ShellFunctions.StartAsync();
        var metrics = new MetricStore();
        view = await MetricsView.StartAsync(0, metrics);
        telemetry = LocalTelemetry.Start(functions.Service, metrics, dashboard.OtlpEndpoint, said.Enqueue);
        functions.Register("Scoring", Scoring);
    }

    public async Task DisposeAsync()
    {
        await telemetry.DisposeAsync();
        await view.DisposeAsync();
        await functions.DisposeAsync();
        await dashboard.DisposeAsync();
        http.Dispose();
    }

    [Fact]
    public async Task An_invocation_is_a_span_and_logs_in_the_dashboard_and_its_emf_metrics_are_in_the_view()
    {
        using var invoked = await functions.InvokeAsync("Scoring", "{}", traceHeader: Caller);
        var requestId = invoked.Headers.GetValues("x-amzn-RequestId").Single();
        var traceHeader = XRayTraceHeader.Parse(await File.ReadAllTextAsync(Path.Combine(functions.PackageDirectory("Scoring"), "trace")))!;
        Assert.Equal(("1-5759e988-bd862e3fe1be46a994272793", true), (traceHeader.Root, traceHeader.Sampled));
        Assert.NotEqual("53995c3f42cd8ad8", traceHeader.Parent);

        var statistics = await EventuallyAsync(() => http.GetFromJsonAsync<JsonElement>(
                $"{view.Endpoint}/metrics/statistics?namespace=Serverless&name=RowsScored&dimension=Service:Uploads"),
            answer => answer.GetProperty("sampleCount").GetInt32() == 2, "RowsScored in the metrics view");
        Assert.Equal(42, statistics.GetProperty("sum").GetDouble());
        Assert.Equal((2, 40), (statistics.GetProperty("minimum").GetDouble(), statistics.GetProperty("maximum").GetDouble()));
        var point = statistics.GetProperty("datapoints")[0];
        Assert.Equal(("Scoring", requestId, "5759e988bd862e3fe1be46a994272793"), (point.GetProperty("functionName").GetString(),
            point.GetProperty("requestId").GetString(), point.GetProperty("traceId").GetString()));
        Assert.Contains(said, line => line.StartsWith(
            $"[telemetry] Scoring {requestId}: an EMF line was not extracted (Metric Broken has no", StringComparison.Ordinal));

        var span = Assert.Single(await EventuallyAsync(async () => Items(await http.GetFromJsonAsync<JsonElement>(
            $"{dashboard.Url}/api/telemetry/spans?traceId=5759e988bd862e3fe1be46a994272793"), "resourceSpans", "scopeSpans", "spans"),
            spans => spans.Count > 0, "the invocation's span in the dashboard"));
        Assert.Equal(("Scoring", traceHeader.Parent, "53995c3f42cd8ad8"), (span.GetProperty("name").GetString(),
            span.GetProperty("spanId").GetString(), span.GetProperty("parentSpanId").GetString()));
        Assert.Contains(span.GetProperty("attributes").EnumerateArray(), attribute =>
            attribute.GetProperty("key").GetString() == "faas.invocation_id"
            && attribute.GetProperty("value").GetProperty("stringValue").GetString() == requestId);

        var logs = await EventuallyAsync(async () => Items(await http.GetFromJsonAsync<JsonElement>(
                $"{dashboard.Url}/api/telemetry/logs?traceId=5759e988bd862e3fe1be46a994272793"), "resourceLogs", "scopeLogs", "logRecords"),
            records => records.Count >= 2, "the invocation's log records in the dashboard");
        var warning = Assert.Single(logs, record => record.GetProperty("body").GetProperty("stringValue").GetString() == "Row 3 skipped");
        Assert.Equal((13, traceHeader.Parent),
            (warning.GetProperty("severityNumber").GetInt32(), warning.GetProperty("spanId").GetString()));
        Assert.DoesNotContain(logs, record => record.GetProperty("body").GetProperty("stringValue").GetString()!.Contains("RowsScored",
            StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_view_lists_metrics_refuses_an_incomplete_query_and_answers_no_web_page()
    {
        using var invoked = await functions.InvokeAsync("Scoring", "{}");
        var listed = await EventuallyAsync(() => http.GetFromJsonAsync<JsonElement>($"{view.Endpoint}/metrics?namespace=AWS/Lambda"),
            metrics => metrics.GetArrayLength() == 3, "Lambda's own metrics listed");
        Assert.Equal(["Duration", "Errors", "Invocations"],
            listed.EnumerateArray().Select(metric => metric.GetProperty("name").GetString()));

        using var incomplete = await http.GetAsync($"{view.Endpoint}/metrics/statistics?namespace=Serverless");
        Assert.Equal(HttpStatusCode.BadRequest, incomplete.StatusCode);
        using var unknownDimensionSet = await http.GetFromJsonAsync<JsonDocument>(
            $"{view.Endpoint}/metrics/statistics?namespace=Serverless&name=RowsScored");
        Assert.Equal(0, unknownDimensionSet!.RootElement.GetProperty("sampleCount").GetInt32());
        using var fromPage = new HttpRequestMessage(HttpMethod.Get, $"{view.Endpoint}/metrics")
        {
            Headers = { { "Origin", "http://evil" } },
        };
        using var refused = await http.SendAsync(fromPage);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
