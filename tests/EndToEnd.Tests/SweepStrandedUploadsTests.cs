using System.Text;
using Amazon.DynamoDBv2.Model;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Serverless.ServiceDefaults;
using Serverless.Uploads;
using Serverless.Uploads.Processing;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// The sweeper and the heartbeat it reads: an upload left PROCESSING with no live invocation (its heartbeat stopped) ends
/// FAILED with a reason and its partial result goes; an upload whose invocation lives is left alone, also when its
/// heartbeat comes between the sweeper's read and its write. Dead invocations are played by the store and the result
/// writer doing what the processor does, then stopping.
/// </summary>
[Collection(ProcessUploadCollection.Name)]
public sealed class SweepStrandedUploadsTests(ProcessUploadFixture cloud) : IAsyncLifetime
{
    private static readonly TimeSpan StrandedAfter = TimeSpan.FromMinutes(10);

    public Task InitializeAsync() => cloud.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task An_upload_whose_invocation_died_after_handing_on_ends_FAILED_and_a_live_one_is_left_alone()
    {
        // A handed on and died before Lambda took the continuation: nothing but the sweeper will end it.
        var (sub, id) = await ClaimedUploadAsync("A");
        var (_, checkpoint) = await cloud.HandOnAsync(sub, id, "A", rows: 6_000);
        await HeartbeatAgoAsync(sub, id, TimeSpan.FromMinutes(20));
        var (liveSub, liveId) = await ClaimedUploadAsync("B");
        await HeartbeatAgoAsync(liveSub, liveId, TimeSpan.FromMinutes(2));

        await cloud.SweepAsync(StrandedAfter);

        var item = (await cloud.Store.GetAsync(sub, id, CancellationToken.None))!;
        Assert.Equal(UploadStatus.Failed, item[UploadAttribute.Status].S);
        Assert.Equal("Processing stopped unexpectedly: it made no progress for 10 minutes; upload the file again.",
            item[UploadAttribute.Error].S);
        Assert.Equal(6_000, ProcessUploadFixture.Number(item, UploadAttribute.RowsProcessed));
        Assert.False(item.ContainsKey(UploadAttribute.ProcessingPartition));
        Assert.False(item.ContainsKey(UploadAttribute.Checkpoint));
        Assert.Empty(await cloud.ResultObjectsAsync(sub, id));
        var aborted = await Assert.ThrowsAnyAsync<Amazon.S3.AmazonS3Exception>(() => cloud.S3.ListPartsAsync(new ListPartsRequest
        {
            BucketName = ProcessUploadFixture.Bucket, Key = UploadItem.ResultKey(sub, id), UploadId = checkpoint.Result.MultipartUploadId,
        }));
        Assert.Equal("NoSuchUpload", aborted.ErrorCode);

        var live = (await cloud.Store.GetAsync(liveSub, liveId, CancellationToken.None))!;
        Assert.Equal(UploadStatus.Processing, live[UploadAttribute.Status].S);
        Assert.Equal(UploadItem.ProcessingPartition, live[UploadAttribute.ProcessingPartition].S);

        // The next sweep finds the FAILED one gone from the index.
        await cloud.SweepAsync(StrandedAfter);
        Assert.Equal(item[UploadAttribute.UpdatedAt].S, (await cloud.Store.GetAsync(sub, id,
            CancellationToken.None))![UploadAttribute.UpdatedAt].S);
    }

    [Fact]
    public async Task A_heartbeat_between_the_sweepers_read_and_its_write_keeps_the_upload()
    {
        var (sub, id) = await ClaimedUploadAsync("A");
        await HeartbeatAgoAsync(sub, id, TimeSpan.FromMinutes(20));
        var read = (await cloud.Store.GetAsync(sub, id, CancellationToken.None))!;

        Assert.True(await cloud.Store.HeartbeatAsync(sub, id, "A", CancellationToken.None));
        var failed = await StrandedUpload.FailAsync(cloud.Store, cloud.S3, ProcessUploadFixture.Bucket, sub, id, read, "stranded",
            DateTimeOffset.UtcNow - StrandedAfter, NullLogger.Instance, CancellationToken.None);

        Assert.False(failed);
        var item = (await cloud.Store.GetAsync(sub, id, CancellationToken.None))!;
        Assert.Equal(UploadStatus.Processing, item[UploadAttribute.Status].S);
        Assert.False(item.ContainsKey(UploadAttribute.Error));
    }

    [Fact]
    public async Task An_invocation_renews_the_heartbeat_while_the_model_scores_a_batch_and_the_upload_leaves_the_index_when_it_ends()
    {
        cloud.Settings = ProcessUploadFixture.Defaults with { HeartbeatIntervalSeconds = 0.2 };
        await cloud.FaultAsync("""{"mode":"slow","count":1,"delayMs":4000}""");
        var (sub, id, key) = await cloud.NewUploadAsync("text");
        var processing = cloud.UploadAsync(key, "I love it\n");

        // One batch, scored for 4 s: no progress is written before it returns, so only the heartbeat moves heartbeatAt.
        Dictionary<string, AttributeValue>? item;
        for (var polls = 0; ; polls++)
        {
            item = await cloud.Store.GetAsync(sub, id, CancellationToken.None);
            if (item?.GetValueOrDefault(UploadAttribute.HeartbeatAt)?.S is { } beat && string.CompareOrdinal(beat,
                item[UploadAttribute.StartedAt].S) > 0)
                break;
            Assert.True(polls < 600 && !processing.IsCompleted, "The heartbeat did not move while the batch was scored");
            await Task.Delay(20);
        }
        Assert.Equal(UploadStatus.Processing, item[UploadAttribute.Status].S);
        Assert.Equal(0, ProcessUploadFixture.Number(item, UploadAttribute.RowsProcessed));
        await processing;

        var ended = await cloud.ItemAsync(sub, id);
        Assert.Equal(UploadStatus.Completed, ended[UploadAttribute.Status].S);
        Assert.False(ended.ContainsKey(UploadAttribute.ProcessingPartition));
    }

    private async Task<(string UserSub, string UploadId)> ClaimedUploadAsync(string claim)
    {
        var (sub, id, key) = await cloud.NewUploadAsync("csv");
        var s3Event = await cloud.PutAsync(key, Encoding.UTF8.GetBytes(SentimentSample.Csv));
        await cloud.Store.ClaimAsync(sub, id, key, SentimentSample.Csv.Length, ProcessUploadFixture.ETagOf(s3Event), claim,
            CancellationToken.None);
        return (sub, id);
    }

    /// <summary>Sets the upload's heartbeat <paramref name="ago"/> in the past, as an invocation that stopped then left it.</summary>
    private Task HeartbeatAgoAsync(string sub, string id, TimeSpan ago) =>
        cloud.Db.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = cloud.Table.Name,
            Key = UploadItem.Key(sub, id),
            UpdateExpression = $"SET {UploadAttribute.HeartbeatAt} = :beat",
            ExpressionAttributeValues = new() { [":beat"] = new() { S = Timestamp.Of(DateTimeOffset.UtcNow - ago) } },
        });
}
