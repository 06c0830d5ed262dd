using System.Net;
using System.Text.Json;
using Serverless.Local;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// Every sample under <c>events/{FunctionLogicalId}/</c> runs through its function with the Lambda
/// Invoke API, as <c>sam local invoke</c> or <c>aws lambda invoke</c> would run it.
/// </summary>
[Collection(LocalCloudCollection.Name)]
public sealed class SampleEventTests(LocalCloudFixture cloud)
{
    /// <summary>
    /// What each sample answers: the HTTP status of an API event, or null for a trigger's own answer (a Cognito trigger echoes
    /// its event, a stream batch reports no item failures, an S3 notification for an upload that does not exist is skipped, and
    /// so is the invocation record of a ProcessUpload invocation that gave up on it; the sweeper's scheduled event sweeps).
    /// </summary>
    public static readonly TheoryData<string, int?> Samples = new()
    {
        { "ProfileApiFunction/get-health.json", 200 },
        { "ProfileApiFunction/get-me.json", 404 },
        { "ProfileApiFunction/get-me-without-token.json", 401 },
        { "ProfileApiFunction/patch-me.json", 404 },
        { "CreateProfileFunction/post-confirmation.json", null },
        { "UploadsApiFunction/post-uploads.json", 201 },
        { "UploadsApiFunction/get-uploads.json", 200 },
        { "UploadsApiFunction/get-upload.json", 404 },
        { "UploadsApiFunction/get-upload-results.json", 404 },
        { "UploadsApiFunction/delete-upload.json", 404 },
        { "PredictionsApiFunction/post-predictions.json", 201 },
        { "PredictionsApiFunction/get-predictions.json", 200 },
        { "UsageApiFunction/get-usage.json", 200 },
        { "MeterUsageFunction/stream-new-prediction.json", null },
        { "ProcessUploadFunction/s3-put-unknown-upload.json", null },
        { "FailStrandedUploadFunction/retries-exhausted-unknown-upload.json", null },
        { "SweepStrandedUploadsFunction/scheduled-event.json", null },
    };

    private static readonly string RepoRoot = LocalCloudOptions.FindRepoRoot(AppContext.BaseDirectory);

    private static readonly string EventsDirectory = Path.Combine(RepoRoot, "events");

    /// <summary>Function names by logical id (a template <c>FunctionName</c> wins, as for ProcessUpload).</summary>
    private static readonly Dictionary<string, string> FunctionNames =
        LocalResources.FunctionNames(Serverless.Local.Template.SamTemplate.Load(Path.Combine(RepoRoot, "template.yaml")));

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task The_sample_runs_through_its_function(string sample, int? status)
    {
        var payload = await File.ReadAllTextAsync(Path.Combine(EventsDirectory, sample));
        var function = FunctionNames[Path.GetDirectoryName(sample)!];

        using var response = await cloud.Http.SendAsync(await new HttpRequestMessage(HttpMethod.Post,
            $"{cloud.Output("LambdaEndpoint")}/2015-03-31/functions/{function}/invocations")
        {
            Content = new StringContent(payload),
        }.SignedAsync("lambda"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.False(response.Headers.Contains("X-Amz-Function-Error"), body.ToString());
        var sent = JsonDocument.Parse(payload).RootElement;
        if (status is { } expected)
            Assert.Equal(expected, body.GetProperty("statusCode").GetInt32());
        else if (sent.TryGetProperty("triggerSource", out var triggerSource))
            Assert.Equal(triggerSource.GetString(), body.GetProperty("triggerSource").GetString());
        else if (sent.TryGetProperty("detail-type", out _))
            await cloud.LogLineAsync(line => line.Contains("Swept uploads with no heartbeat since", StringComparison.Ordinal), "of the sweeper");
        else if (sent.TryGetProperty("requestContext", out _))
            Assert.Contains(cloud.Log, line => line.Contains("Leaving upload 01a226bad6ba7cb18b2b3682aa0df726 of 11111111-2222-3333-4444-555555555555 alone: there is no such upload", StringComparison.Ordinal));
        else if (sent.GetProperty("Records")[0].GetProperty("eventSource").GetString() == "aws:dynamodb")
            Assert.Empty(body.GetProperty("batchItemFailures").EnumerateArray());
        else
            await cloud.LogLineAsync(line => line.Contains("uploads/11111111-2222-3333-4444-555555555555/01a226bad6ba7cb18b2b3682aa0df726/my reviews.csv: there is no such upload", StringComparison.Ordinal),
                "skipping the unknown upload");
    }

    [Fact]
    public void Every_sample_in_events_is_run()
    {
        var onDisk = Directory.EnumerateFiles(EventsDirectory, "*.json", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(EventsDirectory, path)).Order();

        Assert.Equal(onDisk, Samples.Select(row => (string)row[0]).Order());
    }
}
