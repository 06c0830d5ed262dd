using System.Text;
using System.Text.Json.Nodes;
using Serverless.Kernel.Aws;
using Serverless.Uploads;
using Serverless.Uploads.Parsing;
using Serverless.Uploads.Processing;
using Serverless.Uploads.Results;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// An invocation that dies holding an upload (nothing written: out of memory, killed at its timeout) is retried by Lambda
/// with the same request id, and the retry finishes the upload exactly; a delivery with another request id does nothing.
/// The dead attempts are played by the store and the result writer doing what the processor does, then stopping.
/// </summary>
[Collection(ProcessUploadCollection.Name)]
public sealed class ProcessUploadRetryTests(ProcessUploadFixture cloud) : IAsyncLifetime
{
    private static readonly Classification Garbage = new("GARBAGE", 1);

    public Task InitializeAsync() => cloud.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_retry_of_an_invocation_that_died_holding_the_upload_processes_it_from_the_start_and_another_delivery_does_not()
    {
        var (sub, id, key) = await cloud.NewUploadAsync("csv");
        var file = Encoding.UTF8.GetBytes(SentimentSample.Csv);
        var s3Event = await cloud.PutAsync(key, file);
        // Attempt A claims the upload, shows a few rows (of its own), writes a result and dies before marking it COMPLETED.
        await cloud.Store.ClaimAsync(sub, id, key, file.Length, ProcessUploadFixture.ETagOf(s3Event), "A", CancellationToken.None);
        var shown = new Tally();
        for (var number = 1; number <= 5; number++) shown.Add(new Row(number, "x", null, ReaderPosition.Start), Garbage);
        await cloud.Store.ProgressAsync(sub, id, "A", shown, CancellationToken.None);
        await cloud.S3.PutObjectAsync(new() { BucketName = ProcessUploadFixture.Bucket, Key = UploadItem.ResultKey(sub, id),
            ContentBody = "{\"row\":1}\n" });

        await cloud.InvokeAsync(s3Event, requestId: "B");

        var held = (await cloud.Store.GetAsync(sub, id, CancellationToken.None))!;
        Assert.Equal(UploadStatus.Processing, held[UploadAttribute.Status].S);
        Assert.Equal("A", held[UploadAttribute.Claim].S);
        Assert.Equal(5, ProcessUploadFixture.Number(held, UploadAttribute.RowsProcessed));
        Assert.Contains(cloud.Log,
            line => line.Contains($"Nothing to do for {key}: the upload is PROCESSING under another invocation (a repeated delivery)"));

        await cloud.InvokeAsync(s3Event, requestId: "A");

        var item = await cloud.ItemAsync(sub, id);
        SentimentSample.AssertCounts(item);
        Assert.False(item[UploadAttribute.LabelCounts].M.ContainsKey(Garbage.Label));
        SentimentSample.AssertResult(await cloud.ResultLinesAsync(sub, id));
    }

    [Fact]
    public async Task A_retry_of_a_continuation_that_died_past_its_checkpoint_resumes_there_and_ends_as_one_pass_would()
    {
        // About 12 MB of results: two full parts, the first of them written after a few short invocations.
        var bytes = SentimentSample.LongCsv(120_000);
        var onePass = await OnePass.RunAsync(cloud, "csv", bytes);
        await cloud.UseShortInvocationsAsync();
        cloud.HoldContinuations = true;
        var (sub, id, key) = await cloud.NewUploadAsync("csv");
        await cloud.UploadAsync(key, bytes);
        // Continuations run until one is to resume after the result's first part: the dead attempt then uploads a part the retry
        // uploads again.
        byte[] continuation;
        Checkpoint checkpoint;
        while (true)
        {
            Assert.True(cloud.Held.TryDequeue(out var next), "the upload ended before a checkpoint after the result's first part");
            continuation = next;
            checkpoint = Checkpoint.From((await cloud.Store.GetAsync(sub, id, CancellationToken.None))![UploadAttribute.Checkpoint])!;
            if (checkpoint.Result.Parts.Count > 0) break;
            await cloud.InvokeAsync(continuation);
        }

        // Continuation C takes over, writes a part and a half of lines of its own, shows their counts, saves the next carried
        // part, and dies before saving its checkpoint.
        var handoff = JsonNode.Parse(continuation)!["continueUpload"]!["claim"]!.GetValue<string>();
        Assert.NotNull(await cloud.Store.TakeOverAsync(sub, id, handoff, "C", CancellationToken.None));
        var tally = checkpoint.Tally;
        var writer = await ResultWriter.OpenAsync(cloud.S3, ProcessUploadFixture.Bucket, UploadItem.ResultKey(sub, id),
            number => UploadItem.CarryKey(sub, id, number), checkpoint.Result, CancellationToken.None);
        var text = new string('x', 1000);
        for (var number = checkpoint.Position.RowsRead + 1; number <= checkpoint.Position.RowsRead + 8_000; number++)
        {
            var row = new Row(number, text, null, checkpoint.Position);
            await writer.WriteAsync(row, Garbage, CancellationToken.None);
            tally.Add(row, Garbage);
        }
        await cloud.Store.ProgressAsync(sub, id, "C", tally, CancellationToken.None);
        await writer.CarryAsync(checkpoint.Result.Number + 1, CancellationToken.None);

        await cloud.ResetAsync();
        await cloud.InvokeAsync(continuation, requestId: "C");

        await onePass.AssertSameAsync(cloud, sub, id);
        Assert.Contains(cloud.Log,
            line => line.Contains($"Continuing upload {id} at byte {checkpoint.Position.Offset}, row {checkpoint.Position.RowsRead}"));
    }

    [Fact]
    public async Task A_retry_of_an_invocation_that_had_handed_the_upload_on_sends_the_continuation_again_when_none_took_it_over()
    {
        var bytes = SentimentSample.LongCsv(70_000);
        await cloud.UseShortInvocationsAsync();
        cloud.HoldContinuations = true;
        var (sub, id, key) = await cloud.NewUploadAsync("csv");
        var s3Event = await cloud.PutAsync(key, bytes);
        await cloud.InvokeAsync(s3Event, requestId: "A");
        Assert.True(cloud.Held.TryDequeue(out var first), "A did not hand on");
        await cloud.InvokeAsync(first, requestId: "C1");
        Assert.True(cloud.Held.TryDequeue(out var second), "C1 did not hand on");
        var handedOn = (await cloud.Store.GetAsync(sub, id, CancellationToken.None))!;
        Assert.Equal("C1", handedOn[UploadAttribute.HandedOnBy].S);

        // Both died after handing on, C1 before Lambda accepted its continuation, say: Lambda retries each with its request id.
        // A's continuation was taken over (by C1): A's retry does nothing. C1's was not: its retry sends it again.
        await cloud.InvokeAsync(s3Event, requestId: "A");
        await cloud.InvokeAsync(first, requestId: "C1");

        Assert.True(cloud.Held.TryDequeue(out var resent), "C1's retry did not send the continuation again");
        Assert.Equal(Encoding.UTF8.GetString(second), Encoding.UTF8.GetString(resent));
        Assert.Empty(cloud.Held);
        var after = (await cloud.Store.GetAsync(sub, id, CancellationToken.None))!;
        Assert.Equal(handedOn[UploadAttribute.Claim].S, after[UploadAttribute.Claim].S);
        Assert.Contains(cloud.Log,
            line => line.Contains($"Nothing to do for {key}: the upload is PROCESSING under another invocation (a repeated delivery)"));
        Assert.Contains(cloud.Log, line => line.Contains($"Upload {id}: sent the continuation again"));

        await cloud.ResetAsync();
        await cloud.InvokeAsync(resent);

        var item = await cloud.ItemAsync(sub, id);
        Assert.Equal(UploadStatus.Completed, item[UploadAttribute.Status].S);
        Assert.Equal(70_000, ProcessUploadFixture.Number(item, UploadAttribute.RowsTotal));
        Assert.False(item.ContainsKey(UploadAttribute.HandedOnBy));
        Assert.False(item.ContainsKey(UploadAttribute.ProcessingPartition));

        // The first send, had Lambda taken it after all, finds nothing to continue.
        await cloud.InvokeAsync(second);
        Assert.Contains(cloud.Log, line => line.Contains($"Nothing to continue for upload {id}"));
        Assert.Equal(item[UploadAttribute.UpdatedAt].S, (await cloud.ItemAsync(sub, id))[UploadAttribute.UpdatedAt].S);
    }
}
