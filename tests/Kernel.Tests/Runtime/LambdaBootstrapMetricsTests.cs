using System.Text.Json;
using Serverless.Kernel.Metrics;
using Serverless.Kernel.Runtime;
using Serverless.Kernel.Tests.Aws;
using Serverless.TestUtilities;

namespace Serverless.Kernel.Tests.Runtime;

/// <summary>The invocation loop writes each invocation's metrics when it ends, and a ColdStart line on the first.</summary>
[Collection(LambdaEnvironmentCollection.Name)]
public sealed class LambdaBootstrapMetricsTests : IDisposable
{
    private const string Trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

    private readonly EnvironmentScope environment = new(["AWS_LAMBDA_FUNCTION_NAME", "_HANDLER"]);

    public LambdaBootstrapMetricsTests()
    {
        Environment.SetEnvironmentVariable("AWS_LAMBDA_FUNCTION_NAME", "serverless-ProcessUpload-1A2B3C");
        Environment.SetEnvironmentVariable("_HANDLER", "ProcessUpload");
    }

    public void Dispose() => environment.Dispose();

    private static IEnumerable<string?> Dimensions(JsonElement line) =>
        line.GetProperty("_aws").GetProperty("CloudWatchMetrics")[0].GetProperty("Dimensions")[0].EnumerateArray()
            .Select(d => d.GetString());

    private static IEnumerable<string?> Names(JsonElement line) =>
        line.GetProperty("_aws").GetProperty("CloudWatchMetrics")[0].GetProperty("Metrics").EnumerateArray()
            .Select(m => m.GetProperty("Name").GetString());

    [Fact]
    public async Task Each_invocation_flushes_its_own_metrics_and_only_the_first_is_a_cold_start()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        api.Enqueue("r-1", "0", new Dictionary<string, string> { ["Lambda-Runtime-Trace-Id"] = Trace });
        api.Enqueue("r-2", "3");
        api.Enqueue("r-3", "2");
        _ = api.RunAsync(async (payload, _) =>
        {
            var rows = int.Parse(System.Text.Encoding.UTF8.GetString(payload), System.Globalization.CultureInfo.InvariantCulture);
            await Task.WhenAll(Enumerable.Range(0, rows).Select(_ => Task.Run(() => Metric.Add("RowsScored", 1))));
            return "{}"u8.ToArray();
        });

        var coldStart = await api.NextMetricLineAsync();
        var second = await api.NextMetricLineAsync();
        var third = await api.NextMetricLineAsync();

        // The first invocation added nothing: its only line is the cold start, in Powertools' shape.
        Assert.Equal(["ColdStart"], Names(coldStart));
        Assert.Equal(1, coldStart.GetProperty("ColdStart").GetDouble());
        Assert.Equal(["function_name", "Service"], Dimensions(coldStart));
        Assert.Equal("serverless-ProcessUpload-1A2B3C", coldStart.GetProperty("function_name").GetString());
        Assert.Equal("ProcessUpload", coldStart.GetProperty("Service").GetString());
        Assert.Equal("Serverless", coldStart.GetProperty("_aws").GetProperty("CloudWatchMetrics")[0].GetProperty("Namespace").GetString());
        Assert.Equal("r-1", coldStart.GetProperty("function_request_id").GetString());
        Assert.Equal("1-5759e988-bd862e3fe1be46a994272793", coldStart.GetProperty("xray_trace_id").GetString());

        Assert.Equal(["RowsScored"], Names(second));
        Assert.Equal(["Service"], Dimensions(second));
        Assert.Equal("r-2", second.GetProperty("function_request_id").GetString());
        Assert.False(second.TryGetProperty("xray_trace_id", out _));
        Assert.Equal([1.0, 1.0, 1.0], new[] { second }.Values("RowsScored"));
        Assert.Equal("r-3", third.GetProperty("function_request_id").GetString());
        Assert.Equal([1.0, 1.0], new[] { third }.Values("RowsScored"));
        Assert.Equal(0, await api.StopAsync());
    }

    [Fact]
    public async Task An_invocation_that_fails_still_writes_its_metrics()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        api.Enqueue("r-1", "{}");
        _ = api.RunAsync((_, context) =>
        {
            context.Metrics.Add("UploadsFailed", 1);
            throw new InvalidOperationException("The model failed.");
        });

        Assert.Equal("/invocation/r-1/error", (await api.NextPostAsync()).Path);
        Assert.Equal(["ColdStart"], Names(await api.NextMetricLineAsync()));
        var line = await api.NextMetricLineAsync();
        Assert.Equal([1.0], new[] { line }.Values("UploadsFailed"));
    }
}
