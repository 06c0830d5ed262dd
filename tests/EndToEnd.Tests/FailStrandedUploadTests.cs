using System.Text;
using System.Text.Json.Nodes;
using Amazon.S3;
using Amazon.S3.Model;
using Serverless.Kernel.Aws;
using Serverless.Kernel.Metrics;
using Serverless.TestUtilities;
using Serverless.Uploads;
using Serverless.Uploads.Parsing;
using Serverless.Uploads.Processing;
using Serverless.Uploads.Results;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// FailStrandedUpload, ProcessUpload's on-failure destination, given the invocation record Lambda sends when every attempt of
/// an invocation died: the upload that invocation still held ends FAILED with a reason and its partial result goes; an
/// upload that moved on, or none at all, is left alone. The dead attempts are played by the store and the result writer
/// doing what the processor does, then stopping (see the fixture's <see cref="ProcessUploadFixture.GiveUpAsync"/>).
/// </summary>
[Collection(ProcessUploadCollection.Name)]
public sealed class FailStrandedUploadTests(ProcessUploadFixture cloud) : IAsyncLifetime
{
    private static readonly Classification Positive = new("POSITIVE", 0.9);

    public Task InitializeAsync() => cloud.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task An_upload_whose_every_attempt_died_holding_it_ends_FAILED_with_a_reason_and_the_counts_it_reached()
    {
        var (sub, id, s3Event) = await ClaimedUploadAsync();
        await cloud.Store.ProgressAsync(sub, id, "A", Scored(5), CancellationToken.None);

        await cloud.GiveUpAsync(s3Event, requestId: "A");

        var item = (await cloud.Store.GetAsync(sub, id, CancellationToken.None))!;
        Assert.Equal(UploadStatus.Failed, item[UploadAttribute.Status].S);
        Assert.Equal("Processing stopped: every attempt to process the file failed (request A); upload the file again.",
            item[UploadAttribute.Error].S);
        Assert.Equal(5, ProcessUploadFixture.Number(item, UploadAttribute.RowsProcessed));
        Assert.Equal("5", item[UploadAttribute.LabelCounts].M[Positive.Label].N);
        Assert.True(item.ContainsKey(UploadAttribute.CompletedAt));
        Assert.Equal([1.0], cloud.Metrics.Values(MetricNames.UploadsFailed));

        // Lambda may deliver the record twice: the second finds the upload FAILED already.
        await cloud.GiveUpAsync(s3Event, requestId: "A");

        Assert.Equal(item[UploadAttribute.UpdatedAt].S, (await cloud.Store.GetAsync(sub, id,
            CancellationToken.None))![UploadAttribute.UpdatedAt].S);
        Assert.Contains(cloud.Log, line => line.Contains($"Leaving upload {id} of {sub} alone: it is FAILED"));
    }

    [Fact]
    public async Task A_continuation_that_died_before_taking_over_ends_FAILED_and_the_results_multipart_upload_and_carried_part_go()
    {
        var (sub, id, _) = await ClaimedUploadAsync();
        // A writes more than a part of results (a multipart upload) and hands on; the continuation it invoked dies every time before
        // taking over.
        var (continuation, checkpoint) = await cloud.HandOnAsync(sub, id, "A", rows: 6_000);
        Assert.NotNull(checkpoint.Result.MultipartUploadId);
        Assert.NotEmpty(await cloud.ResultObjectsAsync(sub, id));

        await cloud.GiveUpAsync(continuation, requestId: "C");

        var item = (await cloud.Store.GetAsync(sub, id, CancellationToken.None))!;
        Assert.Equal(UploadStatus.Failed, item[UploadAttribute.Status].S);
        Assert.Equal("Processing stopped: every attempt to process the file failed (request C); upload the file again.",
            item[UploadAttribute.Error].S);
        Assert.Equal(6_000, ProcessUploadFixture.Number(item, UploadAttribute.RowsProcessed));
        Assert.False(item.ContainsKey(UploadAttribute.Checkpoint));
        Assert.Empty(await cloud.ResultObjectsAsync(sub, id));
        var aborted = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() =>
            cloud.S3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = ProcessUploadFixture.Bucket,
            Key = UploadItem.ResultKey(sub, id),
            UploadId = checkpoint.Result.MultipartUploadId,
            PartETags = checkpoint.Result.Parts.Select(part => new PartETag { PartNumber = part.PartNumber, ETag = part.ETag }).ToList(),
        }));
        Assert.Equal("NoSuchUpload", aborted.ErrorCode);
    }

    [Fact]
    public async Task A_continuation_that_died_after_taking_over_ends_FAILED_under_its_own_request_id_when_its_event_is_too_old()
    {
        var (sub, id, _) = await ClaimedUploadAsync();
        var (continuation, _) = await cloud.HandOnAsync(sub, id, "A", rows: 3);
        var handoff = JsonNode.Parse(continuation)!["continueUpload"]!["claim"]!.GetValue<string>();
        Assert.NotNull(await cloud.Store.TakeOverAsync(sub, id, handoff, "C", CancellationToken.None));

        await cloud.GiveUpAsync(continuation, requestId: "C", condition: "EventAgeExceeded");

        var item = (await cloud.Store.GetAsync(sub, id, CancellationToken.None))!;
        Assert.Equal(UploadStatus.Failed, item[UploadAttribute.Status].S);
        Assert.Equal("Processing stopped: it could not be resumed in time (request C); upload the file again.",
            item[UploadAttribute.Error].S);
        Assert.Empty(await cloud.ResultObjectsAsync(sub, id));
    }

    [Fact]
    public async Task An_upload_that_completed_meanwhile_is_left_alone()
    {
        var (sub, id, key) = await cloud.NewUploadAsync("csv");
        var s3Event = await cloud.PutAsync(key, Encoding.UTF8.GetBytes(SentimentSample.Csv));
        await cloud.InvokeAsync(s3Event, requestId: "A");
        var completed = await cloud.ItemAsync(sub, id);
        Assert.Equal(UploadStatus.Completed, completed[UploadAttribute.Status].S);

        await cloud.GiveUpAsync(s3Event, requestId: "A");

        var item = (await cloud.Store.GetAsync(sub, id, CancellationToken.None))!;
        Assert.Equal(UploadStatus.Completed, item[UploadAttribute.Status].S);
        Assert.Equal(completed[UploadAttribute.UpdatedAt].S, item[UploadAttribute.UpdatedAt].S);
        Assert.False(item.ContainsKey(UploadAttribute.Error));
        SentimentSample.AssertResult(await cloud.ResultLinesAsync(sub, id));
        Assert.Contains(cloud.Log, line => line.Contains($"Leaving upload {id} of {sub} alone: it is COMPLETED"));
    }

    [Fact]
    public async Task An_upload_held_by_another_invocation_is_left_alone()
    {
        var (sub, id, s3Event) = await ClaimedUploadAsync();

        await cloud.GiveUpAsync(s3Event, requestId: "B");

        var item = (await cloud.Store.GetAsync(sub, id, CancellationToken.None))!;
        Assert.Equal(UploadStatus.Processing, item[UploadAttribute.Status].S);
        Assert.Equal("A", item[UploadAttribute.Claim].S);
        Assert.Contains(cloud.Log, line => line.Contains($"Leaving upload {id} of {sub} alone: it is PROCESSING under another invocation"));
    }

    [Fact]
    public async Task A_record_for_an_unknown_upload_or_another_key_does_nothing()
    {
        var sub = Guid.NewGuid().ToString();
        var id = Guid.CreateVersion7().ToString("N");

        await cloud.GiveUpAsync(ProcessUploadFixture.S3EventOf(UploadItem.ObjectKey(sub, id, "gone.csv"), 10), requestId: "A");
        await cloud.GiveUpAsync(ProcessUploadFixture.S3EventOf("uploads/not-an-upload.csv", 10), requestId: "B");
        await cloud.GiveUpAsync(
            """{"continueUpload":{"userSub":"nobody","uploadId":"01a226bad6ba7cb18b2b3682aa0df726","claim":"token"}}"""u8.ToArray(),
            requestId: "C");

        Assert.Null(await cloud.Store.GetAsync(sub, id, CancellationToken.None));
        Assert.Contains(cloud.Log, line => line.Contains($"Leaving upload {id} of {sub} alone: there is no such upload"));
        Assert.Contains(cloud.Log,
            line => line.Contains("Leaving upload 01a226bad6ba7cb18b2b3682aa0df726 of nobody alone: there is no such upload"));
    }

    /// <summary>A new upload whose file arrived and that invocation A claimed; returns it with the S3 event of its file.</summary>
    private async Task<(string UserSub, string UploadId, byte[] S3Event)> ClaimedUploadAsync()
    {
        var (sub, id, key) = await cloud.NewUploadAsync("csv");
        var s3Event = await cloud.PutAsync(key, Encoding.UTF8.GetBytes(SentimentSample.Csv));
        await cloud.Store.ClaimAsync(sub, id, key, SentimentSample.Csv.Length, ProcessUploadFixture.ETagOf(s3Event), "A",
            CancellationToken.None);
        return (sub, id, s3Event);
    }

    /// <summary>A tally of <paramref name="rows"/> rows scored POSITIVE.</summary>
    private static Tally Scored(long rows)
    {
        var tally = new Tally();
        for (var number = 1; number <= rows; number++) tally.Add(new Row(number, "x", null, ReaderPosition.Start), Positive);
        return tally;
    }
}
