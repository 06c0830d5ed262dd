using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using static Serverless.TestUtilities.DashboardApi;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// What a developer watching the local cloud sees of a real upload: ProcessUpload's log line for it in the Aspire dashboard
/// (through the dashboard's telemetry API), the invocation's span in the same trace, and the EMF metrics that invocation
/// wrote (RowsScored, UploadsCompleted for the ProcessUpload service) in the local metrics view, tied to the same trace.
/// </summary>
[Collection(LocalCloudCollection.Name)]
public sealed class TelemetryTests(LocalCloudFixture cloud)
{
    /// <summary>The function's name, which the template sets: the dashboard's resource, the span's name.</summary>
    private const string ProcessUpload = $"{Serverless.Local.LocalCloud.StackName}-ProcessUpload";

    [Fact]
    public async Task An_uploads_metrics_logs_and_span_are_read_back_through_the_dashboard_and_the_metrics_view()
    {
        var user = await cloud.NewUserAsync();
        var rows = SentimentSample.Rows.Take(6).Select(row => row.Text).ToArray();
        var file = Encoding.UTF8.GetBytes("text\n" + string.Join('\n', rows) + "\n");
        var (id, uploadRequest) = await cloud.CreateUploadAsync(user, "reviews.csv", "text/csv", file.Length);
        using (var put = PresignedPut.Of(uploadRequest, file))
        using (var stored = await cloud.Http.SendAsync(put))
            Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        var upload = await cloud.UploadEndedAsync(user, id);
        Assert.Equal(("COMPLETED", rows.Length), (upload.GetProperty("status").GetString(), upload.GetProperty("rowsTotal").GetInt32()));

        var dashboard = cloud.Output("DashboardUrl");
        // The dashboard knows a resource (404 until then) once the function's first telemetry reached it.
        async Task<List<JsonElement>> ProcessUploadLogsAsync()
        {
            using var answer = await cloud.Http.GetAsync($"{dashboard}/api/telemetry/logs?resource={ProcessUpload}&limit=1000");
            return answer.StatusCode == HttpStatusCode.NotFound ? []
                : Items(await answer.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>(), "resourceLogs", "scopeLogs",
                    "logRecords");
        }
        var completed = await EventuallyAsync(async () => (await ProcessUploadLogsAsync())
            .Where(record => Attribute(record, "UploadId") == id && record.GetProperty("body").GetProperty("stringValue")
                .GetString()!.StartsWith("Completed upload", StringComparison.Ordinal)).ToList(),
            records => records.Count == 1, $"ProcessUpload's log line for upload {id} in the dashboard");
        var traceId = completed[0].GetProperty("traceId").GetString()!;
        var spanId = completed[0].GetProperty("spanId").GetString()!;

        var span = Assert.Single(Items(await cloud.Http.GetFromJsonAsync<JsonElement>($"{dashboard}/api/telemetry/spans?traceId={traceId}"),
            "resourceSpans", "scopeSpans", "spans"), span => span.GetProperty("spanId").GetString() == spanId);
        Assert.Equal(ProcessUpload, span.GetProperty("name").GetString());
        var requestId = Attribute(span, "faas.invocation_id");

        var metrics = cloud.Output("MetricsEndpoint");
        async Task<List<JsonElement>> PointsAsync(string name) => [.. (await cloud.Http.GetFromJsonAsync<JsonElement>(
                $"{metrics}/metrics/statistics?namespace=Serverless&name={name}&dimension=Service:ProcessUpload"))
            .GetProperty("datapoints").EnumerateArray().Where(point => point.GetProperty("traceId").GetString() == traceId)];
        var scored = await EventuallyAsync(() => PointsAsync("RowsScored"), points => points.Count > 0, "RowsScored of the upload");
        Assert.Equal(rows.Length, scored.Sum(point => point.GetProperty("value").GetDouble()));
        Assert.All(scored, point => Assert.Equal(requestId, point.GetProperty("requestId").GetString()));
        var uploadsCompleted = await PointsAsync("UploadsCompleted");
        Assert.Equal(1, uploadsCompleted.Sum(point => point.GetProperty("value").GetDouble()));
    }
}
