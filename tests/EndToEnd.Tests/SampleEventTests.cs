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
    /// <summary>What each sample answers: the HTTP status of an API event, or null for a trigger's echo.</summary>
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
    };

    private static readonly string EventsDirectory = Path.Combine(LocalCloudOptions.FindRepoRoot(AppContext.BaseDirectory), "events");

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task The_sample_runs_through_its_function(string sample, int? status)
    {
        var payload = await File.ReadAllTextAsync(Path.Combine(EventsDirectory, sample));
        var function = Path.GetDirectoryName(sample)!;

        using var response = await cloud.Http.PostAsync(
            $"{cloud.Output("LambdaEndpoint")}/2015-03-31/functions/{function}/invocations", new StringContent(payload));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.False(response.Headers.Contains("X-Amz-Function-Error"), body.ToString());
        if (status is { } expected)
            Assert.Equal(expected, body.GetProperty("statusCode").GetInt32());
        else
            Assert.Equal(JsonDocument.Parse(payload).RootElement.GetProperty("triggerSource").GetString(), body.GetProperty("triggerSource").GetString());
    }

    [Fact]
    public void Every_sample_in_events_is_run()
    {
        var onDisk = Directory.EnumerateFiles(EventsDirectory, "*.json", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(EventsDirectory, path)).Order();

        Assert.Equal(onDisk, Samples.Select(row => (string)row[0]).Order());
    }
}
