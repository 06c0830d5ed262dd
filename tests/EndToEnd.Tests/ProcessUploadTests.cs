using System.Text;
using System.Text.Json;
using Serverless.Uploads;
using Serverless.Uploads.Scoring;

namespace Serverless.EndToEnd.Tests;

/// <summary>ProcessUpload's handler in this process, on DynamoDB Local, the S3 emulator and the model server (see the fixture).</summary>
[Collection(ProcessUploadCollection.Name)]
public sealed class ProcessUploadTests(ProcessUploadFixture cloud) : IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        cloud.Settings = ProcessUploadFixture.Defaults;
        cloud.InvocationBudget = TimeSpan.FromMinutes(2);
        await cloud.FaultAsync("""{"mode":"none"}""");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static long Number(Dictionary<string, Amazon.DynamoDBv2.Model.AttributeValue> item, string name) => long.Parse(item[name].N);

    [Fact]
    public async Task A_CSV_file_is_scored_row_by_row_with_exact_label_counts_and_a_result_line_per_row()
    {
        var (sub, id, key) = await cloud.NewUploadAsync("csv");

        await cloud.UploadAsync(key, SentimentSample.Csv);

        var item = await cloud.ItemAsync(sub, id);
        Assert.Equal("COMPLETED", item["status"].S);
        Assert.Equal(SentimentSample.Rows.Length + 1, Number(item, "rowsTotal"));
        Assert.Equal(1, Number(item, "rowsFailed"));
        Assert.Equal(10, Number(item["labelCounts"].M, "POSITIVE"));
        Assert.Equal(7, Number(item["labelCounts"].M, "NEGATIVE"));
        Assert.Equal(3, Number(item["labelCounts"].M, "NEUTRAL"));
        Assert.Equal($"results/{sub}/{id}.jsonl", item["resultKey"].S);
        Assert.False(item.ContainsKey("expiresAt"));
        Assert.False(item.ContainsKey("checkpoint"));

        var lines = await cloud.ResultLinesAsync(sub, id);
        SentimentSample.AssertResult(lines);
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
        Assert.StartsWith("The model could not score rows 1-2: the model failed (500)", item["error"].S);
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
        Assert.StartsWith("The model could not score row 1: endpoint no-such-endpoint answered 400 ValidationError", item["error"].S);
    }

    [Theory]
    [InlineData("csv", new byte[] { 0x74, 0x65, 0x78, 0x74, 0x0A, 0x6F, 0x6B, 0x0A, 0xC3, 0x28, 0x0A }, "The file is not UTF-8 text: the bytes at offset 8 (0xC3) are not valid UTF-8.")]
    [InlineData("csv", new byte[] { 0x0A, 0x68, 0x69, 0x0A }, "The CSV file has no header row")]
    [InlineData("csv", new byte[] { 0x74, 0x65, 0x78, 0x74, 0x0A }, "The file has no rows to score.")]
    [InlineData("jsonl", new byte[] { 0x7B, 0x7D, 0x0A, 0x31, 0x0A }, "No row could be scored: all 2 failed (row 1: The line has no \"text\" field.)")]
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

        Assert.Equal("The file has more than 3 rows, the most one upload may have. Split it into smaller files.", (await cloud.ItemAsync(sub, id))["error"].S);
        Assert.Equal("The file has 101 bytes; at most 100 can be processed.", (await cloud.ItemAsync(bigSub, bigId))["error"].S);
    }

    [Fact]
    public async Task An_upload_stops_at_the_monthly_quota_completed_with_the_rows_it_scored_and_a_note()
    {
        var uploads = new Uploads.Uploads(cloud.Db, cloud.S3, cloud.Table, ProcessUploadFixture.Bucket, TimeProvider.System);
        var sub = Guid.NewGuid().ToString();
        var file = new StringBuilder("id,text\n");
        for (var i = 0; i < 40; i++) file.Append(i).Append(',').Append(SentimentSample.Rows[i % SentimentSample.Rows.Length].Text.Replace(",", "")).Append('\n');
        var bytes = Encoding.UTF8.GetBytes(file.ToString());
        var id = (await uploads.CreateAsync(sub, "file.csv", "text/csv", "csv", bytes.Length, CancellationToken.None)).UploadId;
        await cloud.UseTextsAsync(sub, ProcessUploadFixture.Plan.MonthlyTexts - 25);

        await cloud.UploadAsync(UploadItem.ObjectKey(sub, id, "file.csv"), bytes);

        var item = await cloud.ItemAsync(sub, id);
        const string note = "Stopped at the free plan's monthly quota of 1,000,000 texts after 25 of the file's rows; the rest were not scored.";
        Assert.Equal("COMPLETED", item["status"].S);
        Assert.Equal(25, Number(item, "rowsTotal"));
        Assert.Equal(25, Number(item, "rowsProcessed"));
        Assert.Equal(0, Number(item, "rowsFailed"));
        Assert.Equal(25, item["labelCounts"].M.Values.Sum(count => long.Parse(count.N)));
        Assert.True(item["stoppedAtQuota"].BOOL);
        Assert.Equal(note, item["note"].S);
        var lines = await cloud.ResultLinesAsync(sub, id);
        Assert.Equal(25, lines.Length);
        Assert.Equal(Enumerable.Range(1, 25), lines.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("row").GetInt32()));
        Assert.All(lines, line => Assert.Contains("\"label\":", line));
        var shown = await uploads.GetAsync(sub, id, CancellationToken.None);
        Assert.True(shown!.StoppedAtQuota);
        Assert.Equal(note, shown.Note);
        Assert.Equal(25, shown.RowsTotal);
    }

    [Fact]
    public async Task An_upload_handed_on_counts_the_rows_it_scored_in_earlier_invocations_against_the_quota()
    {
        var file = new StringBuilder();
        for (var i = 0; i < 30_000; i++) file.Append(SentimentSample.Rows[i % SentimentSample.Rows.Length].Text).Append(" (").Append(i).Append(")\n");
        // Small batches, one at a time, in 3-second invocations: thousands of model calls, more than one invocation does.
        cloud.Settings = ProcessUploadFixture.Defaults with { MaxInFlight = 1, Limits = new BatchLimits(MaxTexts: 4), SafetyFraction = 0.5 };
        cloud.InvocationBudget = TimeSpan.FromSeconds(3);
        var before = cloud.Continuations;
        var (sub, id, key) = await cloud.NewUploadAsync("text");
        await cloud.UseTextsAsync(sub, ProcessUploadFixture.Plan.MonthlyTexts - 20_000);

        await cloud.UploadAsync(key, file.ToString());

        var item = await cloud.ItemAsync(sub, id);
        Assert.True(cloud.Continuations - before >= 1, $"{cloud.Continuations - before} continuations");
        Assert.Equal("COMPLETED", item["status"].S);
        Assert.Equal(20_000, Number(item, "rowsTotal"));
        Assert.Equal(20_000, item["labelCounts"].M.Values.Sum(count => long.Parse(count.N)));
        Assert.True(item["stoppedAtQuota"].BOOL);
        Assert.Equal(20_000, (await cloud.ResultLinesAsync(sub, id)).Length);
    }

    [Fact]
    public async Task An_upload_within_the_quota_shows_no_quota_stop()
    {
        var (sub, id, key) = await cloud.NewUploadAsync("text");
        await cloud.UseTextsAsync(sub, ProcessUploadFixture.Plan.MonthlyTexts - 2);

        await cloud.UploadAsync(key, "I love it\nI hate it\n");

        var item = await cloud.ItemAsync(sub, id);
        Assert.Equal("COMPLETED", item["status"].S);
        Assert.Equal(2, Number(item, "rowsTotal"));
        Assert.False(item.ContainsKey("stoppedAtQuota"));
        Assert.False(item.ContainsKey("note"));
    }

    [Fact]
    public async Task An_upload_fails_when_the_monthly_quota_is_used_up_and_scores_nothing()
    {
        var (sub, id, key) = await cloud.NewUploadAsync("text");
        await cloud.UseTextsAsync(sub, ProcessUploadFixture.Plan.MonthlyTexts);

        await cloud.UploadAsync(key, "I love it\nI hate it\n");

        var item = await cloud.ItemAsync(sub, id);
        var next = new DateTime(DateTime.UtcNow.Year, DateTime.UtcNow.Month, 1).AddMonths(1);
        Assert.Equal("FAILED", item["status"].S);
        Assert.Equal($"The free plan's monthly quota of 1,000,000 texts is used up until {next:yyyy-MM-dd} (UTC).", item["error"].S);
        Assert.Equal(0, Number(item, "rowsProcessed"));
        Assert.False(item.ContainsKey("resultKey"));
        await Assert.ThrowsAsync<Amazon.S3.AmazonS3Exception>(() => cloud.S3.GetObjectMetadataAsync(ProcessUploadFixture.Bucket, UploadItem.ResultKey(sub, id)));
    }

    [Fact]
    public async Task A_long_file_handed_on_across_invocations_gives_the_same_result_as_one_pass()
    {
        // About 7 MB of results: a multipart upload with a full part, parts carried between invocations.
        var file = new StringBuilder("id,text\n");
        for (var i = 0; i < 70_000; i++) file.Append(i).Append(',').Append(SentimentSample.Rows[i % SentimentSample.Rows.Length].Text).Append(" (").Append(i).Append(")\n");
        var bytes = Encoding.UTF8.GetBytes(file.ToString());
        var (oneSub, oneId, oneKey) = await cloud.NewUploadAsync("csv");
        await cloud.UploadAsync(oneKey, bytes);
        var onePass = await cloud.ItemAsync(oneSub, oneId);
        var expected = (await cloud.ResultLinesAsync(oneSub, oneId)).Select(line => line.Replace(oneSub, "")).ToArray();

        cloud.Settings = ProcessUploadFixture.Defaults with { MaxInFlight = 1, Limits = new BatchLimits(MaxTexts: 16), SafetyFraction = 0.5 };
        cloud.InvocationBudget = TimeSpan.FromSeconds(3);
        var before = cloud.Continuations;
        var (sub, id, key) = await cloud.NewUploadAsync("csv");
        await cloud.UploadAsync(key, bytes);

        var item = await cloud.ItemAsync(sub, id);
        Assert.Equal("COMPLETED", item["status"].S);
        Assert.True(cloud.Continuations - before >= 2, $"{cloud.Continuations - before} continuations");
        Assert.Equal(Number(onePass, "rowsTotal"), Number(item, "rowsTotal"));
        Assert.Equal(onePass["labelCounts"].M.ToDictionary(p => p.Key, p => p.Value.N), item["labelCounts"].M.ToDictionary(p => p.Key, p => p.Value.N));
        Assert.Equal(expected, await cloud.ResultLinesAsync(sub, id));
        Assert.Equal(70_000, expected.Length);
        await Assert.ThrowsAsync<Amazon.S3.AmazonS3Exception>(() => cloud.S3.GetObjectMetadataAsync(ProcessUploadFixture.Bucket, UploadItem.CarryKey(sub, id)));
        Assert.Contains(cloud.Log, line => line.Contains($"Continuing upload {id}"));
    }
}

/// <summary>A CSV whose rows VADER labels without doubt: 10 positive, 7 negative, 3 neutral, and one empty row.</summary>
internal static class SentimentSample
{
    public static readonly (string Text, string Label)[] Rows =
    [
        ("I love this product, it is wonderful!", "POSITIVE"),
        ("This is terrible and I hate it.", "NEGATIVE"),
        ("The box is on the table.", "NEUTRAL"),
        ("What a great, happy day.", "POSITIVE"),
        ("The service was awful and the food was disgusting.", "NEGATIVE"),
        ("Excellent quality, I am very pleased.", "POSITIVE"),
        ("The meeting is at ten.", "NEUTRAL"),
        ("I am so sad and angry about this.", "NEGATIVE"),
        ("Amazing work, thank you so much!", "POSITIVE"),
        ("Best purchase ever, I love it.", "POSITIVE"),
        ("This is the worst, a horrible experience.", "NEGATIVE"),
        ("The train leaves from platform four.", "NEUTRAL"),
        ("Beautiful design and a fantastic price.", "POSITIVE"),
        ("I feel terrible, everything failed.", "NEGATIVE"),
        ("Good job, nice and friendly staff.", "POSITIVE"),
        ("Such a boring, ugly and useless thing.", "NEGATIVE"),
        ("Wonderful, I enjoyed every minute.", "POSITIVE"),
        ("I hate waiting, this is a disaster.", "NEGATIVE"),
        ("Perfect, happy with it.", "POSITIVE"),
        ("I really like it, very nice and helpful.", "POSITIVE"),
    ];

    /// <summary>A header with the text in the second column, quoted fields, CRLF, and an empty row 4.</summary>
    public static string Csv
    {
        get
        {
            var csv = new StringBuilder("id,text,lang\r\n");
            for (var i = 0; i < Rows.Length; i++)
            {
                if (i == 3) csv.Append("empty,,en\r\n");
                csv.Append(i).Append(",\"").Append(Rows[i].Text.Replace("\"", "\"\"")).Append("\",en\r\n");
            }
            return csv.ToString();
        }
    }

    public static void AssertResult(string[] lines)
    {
        Assert.Equal(Rows.Length + 1, lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            using var line = JsonDocument.Parse(lines[i]);
            var root = line.RootElement;
            Assert.Equal(i + 1, root.GetProperty("row").GetInt32());
            if (i == 3)
            {
                Assert.Equal("""{"row":4,"error":"The row is empty: there is no text to score."}""", lines[i]);
                continue;
            }
            var (text, label) = Rows[i < 3 ? i : i - 1];
            Assert.Equal(text, root.GetProperty("text").GetString());
            Assert.Equal(label, root.GetProperty("label").GetString());
            Assert.InRange(root.GetProperty("score").GetDouble(), 0.5, 1);
        }
    }
}
