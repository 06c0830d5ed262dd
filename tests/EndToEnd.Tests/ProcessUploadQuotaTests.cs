using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Serverless.Kernel.Metrics;
using Serverless.Metering;
using Serverless.ServiceDefaults;
using Serverless.TestUtilities;
using Serverless.Uploads;
using static Serverless.EndToEnd.Tests.ProcessUploadFixture;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// ProcessUpload scores no more rows than the user's monthly quota leaves, however many uploads run at once, and reserves
/// every row it scores (the handler in this process, see the fixture; MeterUsage's settlement of an upload's end is played
/// by the ledger here, and runs for real in <see cref="UsageTests"/>).
/// </summary>
[Collection(ProcessUploadCollection.Name)]
public sealed class ProcessUploadQuotaTests(ProcessUploadFixture cloud) : IAsyncLifetime
{
    public Task InitializeAsync() => cloud.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task An_upload_stops_at_the_monthly_quota_completed_with_the_rows_it_scored_and_a_note()
    {
        var uploads = new UploadRepository(cloud.Db, cloud.S3, cloud.Table, ProcessUploadFixture.Bucket, TimeProvider.System);
        var sub = Guid.NewGuid().ToString();
        var file = new StringBuilder("id,text\n");
        for (var i = 0; i < 40; i++) file.Append(i).Append(',')
            .Append(SentimentSample.Rows[i % SentimentSample.Rows.Length].Text.Replace(",", "")).Append('\n');
        var bytes = Encoding.UTF8.GetBytes(file.ToString());
        var id = (await uploads.CreateAsync(sub, "file.csv", "text/csv", "csv", bytes.Length, CancellationToken.None)).UploadId;
        await cloud.UseTextsAsync(sub, ProcessUploadFixture.Plan.MonthlyTexts - 25);

        await cloud.UploadAsync(UploadItem.ObjectKey(sub, id, "file.csv"), bytes);

        var item = await cloud.ItemAsync(sub, id);
        const string note =
            "Stopped at the free plan's monthly quota of 1,000,000 texts after 25 of the file's rows; the rest were not scored.";
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
        Assert.Equal([1.0], cloud.Metrics.Values(MetricNames.QuotaRefusals));
        Assert.Equal(25, cloud.Metrics.Values(MetricNames.RowsScored).Sum());
        Assert.Equal([1.0], cloud.Metrics.Values(MetricNames.UploadsCompleted));
    }

    [Fact]
    public async Task An_upload_handed_on_counts_the_rows_it_scored_in_earlier_invocations_against_the_quota()
    {
        var file = new StringBuilder();
        for (var i = 0; i < 30_000; i++) file.Append(SentimentSample.Rows[i % SentimentSample.Rows.Length].Text).Append(" (").Append(i)
            .Append(")\n");
        // At most 12,000 rows an invocation: the 20,000 the quota leaves take more than one.
        await cloud.UseShortInvocationsAsync();
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
        await Assert.ThrowsAsync<Amazon.S3.AmazonS3Exception>(() => cloud.S3.GetObjectMetadataAsync(ProcessUploadFixture.Bucket,
            UploadItem.ResultKey(sub, id)));
    }

    [Theory]
    [InlineData(3, 6_000, 10_000)]
    [InlineData(10, 1_000, 5_000)]
    public async Task Uploads_started_together_score_no_more_than_the_quota_leaves_and_settle_to_exactly_what_they_scored(int count,
        int rows, long left)
    {
        var sub = Guid.NewGuid().ToString();
        var file = new StringBuilder();
        for (var i = 0; i < rows; i++) file.Append(SentimentSample.Rows[i % SentimentSample.Rows.Length].Text).Append(" (").Append(i)
            .Append(")\n");
        var uploads = new List<(string Id, string Key)>();
        for (var i = 0; i < count; i++)
        {
            var (_, id, key) = await cloud.NewUploadAsync("text", userSub: sub);
            uploads.Add((id, key));
        }
        var used = ProcessUploadFixture.Plan.MonthlyTexts - left;
        await cloud.UseTextsAsync(sub, used);

        await Task.WhenAll(uploads.Select(upload => Task.Run(() => cloud.UploadAsync(upload.Key, file.ToString()))));

        var items = new List<Dictionary<string, AttributeValue>>();
        foreach (var (id, _) in uploads) items.Add(await cloud.ItemAsync(sub, id));
        var scored = items.Select(item => Number(item, "rowsProcessed") - Number(item, "rowsFailed")).ToList();
        Assert.InRange(scored.Sum(), 1, left);
        // Each ended COMPLETED (some with the quota stop), or FAILED having found the quota taken before its first row.
        Assert.All(items, item => Assert.True(item["status"].S == "COMPLETED" || item["error"].S.Contains("quota"), item["status"].S));
        Assert.Contains(items, item => item.ContainsKey("stoppedAtQuota") || item["status"].S == "FAILED");
        var ledger = new UsageLedger(cloud.Db, cloud.Table, ProcessUploadFixture.Plan, TimeProvider.System);
        var month = UsageItem.Month(DateTimeOffset.UtcNow);
        for (var i = 0; i < count; i++)
        {
            var source = UsageLedger.UploadSource(uploads[i].Id);
            Assert.Equal(month, items[i]["usageMonth"].S);
            Assert.True(await ledger.HeldAsync(sub, month, source, CancellationToken.None) >= scored[i], $"upload {i}: scored {scored[i]}");
            await ledger.SettleAsync(new UsageSettlement(sub, month, source, 0, scored[i], 1, 0), CancellationToken.None);
        }
        var usage = await UsageItem.GetAsync(cloud.Db, cloud.Table, sub, month, CancellationToken.None);
        Assert.Equal(used + scored.Sum(), usage.RowsScored);
        Assert.Equal(0, usage.Reserved);
    }

    [Fact]
    public async Task An_upload_deleted_between_invocations_is_settled_with_the_rows_it_scored()
    {
        var file = new StringBuilder();
        for (var i = 0; i < 30_000; i++) file.Append(SentimentSample.Rows[i % SentimentSample.Rows.Length].Text).Append(" (").Append(i)
            .Append(")\n");
        await cloud.UseShortInvocationsAsync();
        cloud.HoldContinuations = true;
        var (sub, id, key) = await cloud.NewUploadAsync("text");

        await cloud.UploadAsync(key, file.ToString());
        var handedOn = await cloud.ItemAsync(sub, id);
        var scored = Number(handedOn, "rowsProcessed") - Number(handedOn, "rowsFailed");
        await cloud.Db.DeleteItemAsync(cloud.Table.Name, UploadItem.Key(sub, id));
        Assert.True(cloud.Held.TryDequeue(out var continuation));
        await cloud.InvokeAsync(continuation);

        var usage = await UsageItem.GetAsync(cloud.Db, cloud.Table, sub, UsageItem.Month(DateTimeOffset.UtcNow), CancellationToken.None);
        Assert.InRange(scored, 1, 29_999);
        Assert.Equal(scored, usage.RowsScored);
        Assert.Equal(0, usage.Reserved);
    }
}
