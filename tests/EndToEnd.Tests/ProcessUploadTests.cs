using Serverless.Kernel.Metrics;
using Serverless.TestUtilities;
using static Serverless.EndToEnd.Tests.ProcessUploadFixture;

namespace Serverless.EndToEnd.Tests;

/// <summary>ProcessUpload's handler in this process, on DynamoDB Local, the S3 emulator and the model server (see the fixture).</summary>
[Collection(ProcessUploadCollection.Name)]
public sealed class ProcessUploadTests(ProcessUploadFixture cloud) : IAsyncLifetime
{
    public Task InitializeAsync() => cloud.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_CSV_file_is_scored_row_by_row_with_exact_label_counts_and_a_result_line_per_row()
    {
        var (sub, id, key) = await cloud.NewUploadAsync("csv");

        await cloud.UploadAsync(key, SentimentSample.Csv);

        var item = await cloud.ItemAsync(sub, id);
        SentimentSample.AssertCounts(item);
        Assert.Equal($"results/{sub}/{id}.jsonl", item["resultKey"].S);
        Assert.False(item.ContainsKey("expiresAt"));
        Assert.False(item.ContainsKey("checkpoint"));

        var lines = await cloud.ResultLinesAsync(sub, id);
        SentimentSample.AssertResult(lines);
        Assert.Equal(Number(item, "rowsProcessed") - Number(item, "rowsFailed"), cloud.Metrics.Values(MetricNames.RowsScored).Sum());
        Assert.Equal(Number(item, "rowsFailed"), cloud.Metrics.Values(MetricNames.RowsFailed).Sum());
        Assert.Equal([1.0], cloud.Metrics.Values(MetricNames.UploadsCompleted));
        Assert.Empty(cloud.Metrics.Values(MetricNames.UploadsFailed));
        Assert.NotEmpty(cloud.Metrics.Values(MetricNames.ModelLatency));
    }

    [Fact]
    public async Task A_repeated_delivery_of_the_same_event_changes_nothing()
    {
        var (sub, id, key) = await cloud.NewUploadAsync("csv");
        var s3Event = await cloud.UploadAsync(key, SentimentSample.Csv);
        var first = await cloud.ItemAsync(sub, id);

        await cloud.InvokeAsync(s3Event);

        var second = await cloud.ItemAsync(sub, id);
        Assert.Equal(first["updatedAt"].S, second["updatedAt"].S);
        Assert.Equal(Number(first, "rowsTotal"), Number(second, "rowsTotal"));
        Assert.Contains(cloud.Log, line => line.Contains($"Nothing to do for {key}: the upload is COMPLETED already"));
    }

    [Fact]
    public async Task Keys_that_are_not_uploads_and_uploads_that_do_not_exist_are_logged_and_skipped()
    {
        var missing = $"uploads/{Guid.NewGuid()}/{Guid.CreateVersion7():N}/gone.csv";

        await cloud.InvokeAsync(ProcessUploadFixture.S3EventOf("uploads/not-an-upload.csv", 10));
        await cloud.InvokeAsync(ProcessUploadFixture.S3EventOf(missing, 10));
        await cloud.InvokeAsync(ProcessUploadFixture.S3EventOf(missing, 10, bucket: "another-bucket"));
        await cloud.InvokeAsync("""{"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"b"}"""u8.ToArray());

        Assert.Contains(cloud.Log, line => line.Contains("Skipping uploads/not-an-upload.csv: not an upload key"));
        Assert.Contains(cloud.Log, line => line.Contains($"Nothing to do for {missing}: there is no such upload"));
        Assert.Contains(cloud.Log, line => line.Contains($"Skipping ObjectCreated:Put of another-bucket/{missing}"));
    }

    [Fact]
    public async Task Throttling_is_retried_and_the_upload_completes()
    {
        await cloud.FaultAsync("""{"mode":"throttle","count":2}""");
        var (sub, id, key) = await cloud.NewUploadAsync("csv");

        await cloud.UploadAsync(key, SentimentSample.Csv);

        var item = await cloud.ItemAsync(sub, id);
        Assert.Equal("COMPLETED", item["status"].S);
        Assert.Equal(10, Number(item["labelCounts"].M, "POSITIVE"));
    }

    [Fact]
    public async Task A_model_error_fails_the_upload_with_the_rows_it_could_not_score()
    {
        await cloud.FaultAsync("""{"mode":"modelError","count":-1,"status":500}""");
        var (sub, id, key) = await cloud.NewUploadAsync("text");

        await cloud.UploadAsync(key, "I love it\nI hate it\n");

        var item = await cloud.ItemAsync(sub, id);
        Assert.Equal("FAILED", item["status"].S);
        Assert.StartsWith("The model could not score rows 1-2; try again later. Request id: ", item["error"].S);
        Assert.Contains(cloud.Log,
            line => line.Contains($"Upload {id} failed: The model could not score rows 1-2: the model failed (500)"));
        Assert.False(item.ContainsKey("resultKey"));
    }

    [Fact]
    public async Task A_dead_endpoint_fails_the_upload_once_retries_are_spent()
    {
        cloud.Settings = ProcessUploadFixture.Defaults with { EndpointName = "no-such-endpoint" };
        var (sub, id, key) = await cloud.NewUploadAsync("text");

        await cloud.UploadAsync(key, "I love it\n");

        var item = await cloud.ItemAsync(sub, id);
        Assert.Equal("FAILED", item["status"].S);
        Assert.StartsWith("The model could not score row 1; try again later. Request id: ", item["error"].S);
        Assert.DoesNotContain("no-such-endpoint", item["error"].S);
        Assert.Contains(cloud.Log,
            line => line.Contains(
                $"Upload {id} failed: The model could not score row 1: endpoint no-such-endpoint answered 400 ValidationError"));
    }

    [Theory]
    [InlineData("csv", new byte[] { 0x74, 0x65, 0x78, 0x74, 0x0A, 0x6F, 0x6B, 0x0A, 0xC3, 0x28, 0x0A },
        "The file is not UTF-8 text: the bytes at offset 8 (0xC3) are not valid UTF-8.")]
    [InlineData("csv", new byte[] { 0x0A, 0x68, 0x69, 0x0A }, "The CSV file has no header row")]
    [InlineData("csv", new byte[] { 0x74, 0x65, 0x78, 0x74, 0x0A }, "The file has no rows to score.")]
    [InlineData("jsonl", new byte[] { 0x7B, 0x7D, 0x0A, 0x31, 0x0A },
        "No row could be scored: all 2 failed (row 1: The line has no \"text\" field.)")]
    [InlineData("text", new byte[0], "The file has no rows to score.")]
    public async Task A_file_that_cannot_be_read_fails_with_its_reason(string format, byte[] file, string reason)
    {
        var (sub, id, key) = await cloud.NewUploadAsync(format);

        await cloud.UploadAsync(key, file);

        var item = await cloud.ItemAsync(sub, id);
        Assert.Equal("FAILED", item["status"].S);
        Assert.StartsWith(reason, item["error"].S);
    }

    [Fact]
    public async Task A_file_over_the_row_or_byte_limit_fails()
    {
        cloud.Settings = ProcessUploadFixture.Defaults with { MaxUploadRows = 3, MaxUploadBytes = 100 };
        var (sub, id, key) = await cloud.NewUploadAsync("text");
        var (bigSub, bigId, bigKey) = await cloud.NewUploadAsync("text");

        await cloud.UploadAsync(key, "a\nb\nc\nd\n");
        await cloud.UploadAsync(bigKey, new string('a', 101));

        Assert.Equal("The file has more than 3 rows, the most one upload may have. Split it into smaller files.",
            (await cloud.ItemAsync(sub, id))["error"].S);
        Assert.Equal("The file has 101 bytes; at most 100 can be processed.", (await cloud.ItemAsync(bigSub, bigId))["error"].S);
    }

    [Fact]
    public async Task A_long_file_handed_on_across_invocations_gives_the_same_result_as_one_pass()
    {
        // About 7 MB of results: a multipart upload with a full part, parts carried between invocations.
        var bytes = SentimentSample.LongCsv(70_000);
        var onePass = await OnePass.RunAsync(cloud, "csv", bytes);
        Assert.Equal(70_000, onePass.Lines.Length);

        await cloud.UseShortInvocationsAsync();
        var before = cloud.Continuations;
        var (sub, id, key) = await cloud.NewUploadAsync("csv");
        await cloud.UploadAsync(key, bytes);

        await onePass.AssertSameAsync(cloud, sub, id);
        Assert.True(cloud.Continuations - before >= 2, $"{cloud.Continuations - before} continuations");
        Assert.Contains(cloud.Log, line => line.Contains($"Continuing upload {id}"));
    }
}
