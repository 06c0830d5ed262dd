using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Serverless.ServiceDefaults;
using Serverless.TestUtilities;
using Serverless.Uploads;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// In the whole local cloud: the template's sweeper is scheduled, and when it runs an upload left PROCESSING with no live
/// invocation (its heartbeat stopped long ago) ends FAILED with a reason the user reads through the API, while an upload
/// whose invocation lives stays PROCESSING. The sweeper is run at once through the Lambda service with the scheduled-event
/// sample, instead of waiting for its five minutes.
/// </summary>
[Collection(LocalCloudCollection.Name)]
public sealed class StrandedUploadTests(LocalCloudFixture cloud)
{
    private const string Sweeper = "SweepStrandedUploadsFunction";

    [Fact]
    public async Task The_sweeper_ends_a_stranded_upload_FAILED_with_a_reason_and_leaves_a_live_one_alone()
    {
        Assert.Contains(cloud.Log, line => line.Contains("[schedule]") && line.Contains($"rate(5 minutes) -> {Sweeper}"));
        var user = await cloud.NewUserAsync();
        var (stranded, _) = await cloud.CreateUploadAsync(user, "stranded.txt");
        var (live, _) = await cloud.CreateUploadAsync(user, "live.txt");
        await ProcessingAsync(user, stranded, heartbeatAgo: TimeSpan.FromMinutes(30));
        await ProcessingAsync(user, live, heartbeatAgo: TimeSpan.FromSeconds(5));

        var sample = EventFile.Read($"events/{Sweeper}/scheduled-event.json");
        var result = await cloud.Cloud.Lambda.InvokeAsync(Sweeper, sample, CancellationToken.None);

        Assert.Null(result.FunctionError);
        var ended = await cloud.UploadEndedAsync(user, stranded);
        Assert.Equal(UploadStatus.Failed, ended.GetProperty("status").GetString());
        Assert.Equal("Processing stopped unexpectedly: it made no progress for 10 minutes; upload the file again.",
            ended.GetProperty("error").GetString());
        using var response = await cloud.SendAsync(HttpMethod.Get, $"/uploads/{live}", user.AccessToken);
        Assert.Equal(UploadStatus.Processing, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    /// <summary>
    /// The upload as a ProcessUpload invocation claimed it and left it, its last heartbeat <paramref name="heartbeatAgo"/>.
    /// </summary>
    private async Task ProcessingAsync(TestUser user, string uploadId, TimeSpan heartbeatAgo)
    {
        using var db = cloud.CreateDynamoDb();
        var beat = Timestamp.Of(DateTimeOffset.UtcNow - heartbeatAgo);
        await db.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = cloud.Output("TableName"),
            Key = UploadItem.Key(user.Sub, uploadId),
            UpdateExpression = "SET #status = :processing, #claim = :claim, #started = :beat, #beat = :beat, #partition = :partition, " +
                "#processed = :zero, #failed = :zero, #labels = :labels REMOVE #ttl",
            ExpressionAttributeNames = new()
            {
                ["#status"] = UploadAttribute.Status, ["#claim"] = UploadAttribute.Claim, ["#started"] = UploadAttribute.StartedAt,
                ["#beat"] = UploadAttribute.HeartbeatAt, ["#partition"] = UploadAttribute.ProcessingPartition,
                ["#processed"] = UploadAttribute.RowsProcessed, ["#failed"] = UploadAttribute.RowsFailed,
                ["#labels"] = UploadAttribute.LabelCounts, ["#ttl"] = UploadAttribute.ExpiresAt,
            },
            ExpressionAttributeValues = new()
            {
                [":processing"] = new() { S = UploadStatus.Processing },
                [":claim"] = new() { S = Guid.NewGuid().ToString() },
                [":beat"] = new() { S = beat },
                [":partition"] = new() { S = UploadItem.ProcessingPartition },
                [":zero"] = new() { N = "0" },
                [":labels"] = new() { M = [] },
            },
        });
    }
}
