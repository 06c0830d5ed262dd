using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Metering;
using Serverless.ServiceDefaults;
using Serverless.Uploads;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// Usage metering through the real chain: items written to DynamoDB Local, its stream read by the local event source
/// mapping from the template, the MeterUsage package as a process, GET /usage through the gateway.
/// </summary>
[Collection(LocalCloudCollection.Name)]
public sealed class UsageTests(LocalCloudFixture cloud)
{
    [Fact]
    public async Task Predictions_and_completed_uploads_settle_once_a_poison_record_goes_to_the_destination_and_GET_usage_shows_the_rest()
    {
        var user = await cloud.NewUserAsync();
        var sub = user.Sub;
        using var db = cloud.CreateDynamoDb();
        var poisonKey = await PutPredictionAsync(db, sub, textCount: null);
        await PutPredictionAsync(db, sub, textCount: 2);
        await PutPredictionAsync(db, sub, textCount: 3);
        var uploadId = Guid.CreateVersion7().ToString("N");
        await ReserveAsync(sub, UsageLedger.UploadSource(uploadId), 10);
        await PutUploadAsync(db, sub, uploadId, "PROCESSING");
        await PutUploadAsync(db, sub, uploadId, "COMPLETED", rowsProcessed: 10, rowsFailed: 2, objectSize: 1234);
        await PutUploadAsync(db, sub, uploadId, "COMPLETED", rowsProcessed: 10, rowsFailed: 2, objectSize: 1234); // not a new completion
        await PutPredictionAsync(db, sub, textCount: 5);

        var usage = await WaitForUsageAsync(user,
            usage => usage.GetProperty("predictions").GetInt64() >= 10 && usage.GetProperty("uploads").GetInt64() >= 1);
        var failure = await WaitForFailureRecordAsync(poisonKey);

        Assert.Equal(10, usage.GetProperty("predictions").GetInt64());
        Assert.Equal(8, usage.GetProperty("rowsScored").GetInt64());
        Assert.Equal(1, usage.GetProperty("uploads").GetInt64());
        Assert.Equal(1234, usage.GetProperty("bytes").GetInt64());
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM"), usage.GetProperty("month").GetString());
        var quota = usage.GetProperty("plan").GetProperty("monthlyTexts").GetInt64();
        Assert.Equal("free", usage.GetProperty("plan").GetProperty("name").GetString());
        Assert.Equal(quota - 18, usage.GetProperty("remaining").GetProperty("texts").GetInt64());
        Assert.Equal("RetryAttemptsExhausted", failure.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal(6, failure.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
        Assert.Contains(cloud.Log,
            line => line.Contains("Bad stream record") && line.Contains(poisonKey) && line.Contains("textCount")
            && line.Contains("\"requestId\""));

        // Everything was delivered again with each retry of the poison record's batch; nothing counted twice. A partition key's
        // records are in one shard, delivered in order: once a last prediction is counted, every earlier delivery has been made.
        await PutPredictionAsync(db, sub, textCount: 1);
        var again = await WaitForUsageAsync(user, usage => usage.GetProperty("predictions").GetInt64() >= 11);
        Assert.Equal(11, again.GetProperty("predictions").GetInt64());
        Assert.Equal(8, again.GetProperty("rowsScored").GetInt64());
        Assert.Equal(1, again.GetProperty("uploads").GetInt64());
    }

    [Fact]
    public async Task GET_usage_of_a_month_without_usage_is_all_zero_and_a_bad_month_is_a_400_problem_naming_it()
    {
        var user = await cloud.NewUserAsync();

        var old = await GetUsageAsync(user, "?month=2001-02");
        using var bad = await cloud.SendAsync(HttpMethod.Get, "/usage?month=2026-13", user.AccessToken);

        Assert.Equal("2001-02", old.GetProperty("month").GetString());
        Assert.Equal(0, old.GetProperty("predictions").GetInt64());
        Assert.Equal(0, old.GetProperty("rowsScored").GetInt64());
        Assert.Equal("2001-03-01T00:00:00.000Z", old.GetProperty("resetsAt").GetString());
        Assert.Equal(old.GetProperty("plan").GetProperty("monthlyTexts").GetInt64(),
            old.GetProperty("remaining").GetProperty("texts").GetInt64());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("month", out _), problem.ToString());
    }

    [Fact]
    public async Task At_the_quota_POST_predictions_and_POST_uploads_answer_429_with_Retry_After_until_the_next_month()
    {
        var user = await cloud.NewUserAsync();
        var quota = (await GetUsageAsync(user, "")).GetProperty("plan").GetProperty("monthlyTexts").GetInt64();
        using var db = cloud.CreateDynamoDb();
        var month = DateTime.UtcNow.ToString("yyyy-MM");
        await db.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = cloud.Output("TableName"),
            Key = UsageItem.Key(user.Sub, month),
            UpdateExpression = "SET predictions = :used, charged = :used",
            ExpressionAttributeValues = new() { [":used"] = new() { N = (quota - 1).ToString() } },
        });

        var earliest = SecondsToNextMonth();
        using var tooMany = await cloud.SendAsync(HttpMethod.Post, "/predictions", user.AccessToken, """{"texts": ["good", "bad"]}""");
        var latest = SecondsToNextMonth();
        using var last = await cloud.SendAsync(HttpMethod.Post, "/predictions", user.AccessToken, """{"texts": ["the last one"]}""");
        await WaitForUsageAsync(user, usage => usage.GetProperty("remaining").GetProperty("texts").GetInt64() == 0);
        using var upload = await cloud.SendAsync(HttpMethod.Post, "/uploads", user.AccessToken,
            """{"fileName": "a.csv", "contentType": "text/csv", "size": 10}""");

        Assert.Equal(HttpStatusCode.TooManyRequests, tooMany.StatusCode);
        Assert.Equal("application/problem+json", tooMany.Content.Headers.ContentType?.MediaType);
        var retryAfter = (long)tooMany.Headers.RetryAfter!.Delta!.Value.TotalSeconds;
        Assert.InRange(retryAfter, latest, earliest + 1);
        var problem = await tooMany.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.Equal(1, problem.GetProperty("remaining").GetInt64());
        Assert.Equal(HttpStatusCode.Created, last.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, upload.StatusCode);
        Assert.NotNull(upload.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task A_burst_of_POST_predictions_never_passes_the_plan_and_usage_settles_to_what_was_answered()
    {
        var user = await cloud.NewUserAsync();
        var quota = (await GetUsageAsync(user, "")).GetProperty("plan").GetProperty("monthlyTexts").GetInt64();
        await SeedUsedAsync(user.Sub, quota - 10);

        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(async i =>
        {
            using var response = await cloud.SendAsync(HttpMethod.Post, "/predictions", user.AccessToken,
                $$"""{"texts": ["good {{i}}", "bad", "fine"]}""");
            return response.StatusCode;
        }));

        var created = answers.Count(status => status == HttpStatusCode.Created);
        Assert.All(answers, status => Assert.True(status is HttpStatusCode.Created or HttpStatusCode.TooManyRequests, status.ToString()));
        Assert.Equal(3, created);
        var usage = await WaitForUsageAsync(user, usage => usage.GetProperty("reserved").GetInt64() == 0);
        Assert.Equal(quota - 10 + 3 * created, usage.GetProperty("predictions").GetInt64());
        Assert.Equal(1, usage.GetProperty("remaining").GetProperty("texts").GetInt64());
    }

    [Fact]
    public async Task The_rows_an_upload_scored_before_it_FAILED_are_in_GET_usage()
    {
        var user = await cloud.NewUserAsync();
        var file = new MemoryStream();
        for (var i = 0; i < 2_000; i++)
            file.Write(Encoding.UTF8.GetBytes($"{SentimentSample.Rows[i % SentimentSample.Rows.Length].Text} ({i})\n"));
        file.WriteByte(0xFF);
        var bytes = file.ToArray();
        var (id, uploadRequest) = await cloud.CreateUploadAsync(user, "reviews.txt", "text/plain", bytes.Length);
        using var put = PresignedPut.Of(uploadRequest, bytes);
        using var stored = await cloud.Http.SendAsync(put);
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);

        var upload = await cloud.UploadEndedAsync(user, id);
        var scored = upload.GetProperty("rowsProcessed").GetInt64() - upload.GetProperty("rowsFailed").GetInt64();
        var usage = await WaitForUsageAsync(user,
            usage => usage.GetProperty("reserved").GetInt64() == 0 && usage.GetProperty("rowsScored").GetInt64() > 0);

        Assert.Equal("FAILED", upload.GetProperty("status").GetString());
        Assert.InRange(scored, 1, 2_000);
        Assert.Equal(scored, usage.GetProperty("rowsScored").GetInt64());
        Assert.Equal(0, usage.GetProperty("uploads").GetInt64());
    }

    [Fact]
    public async Task Uploads_started_together_never_pass_the_plan_and_usage_settles_to_exactly_what_they_scored()
    {
        var user = await cloud.NewUserAsync();
        var quota = (await GetUsageAsync(user, "")).GetProperty("plan").GetProperty("monthlyTexts").GetInt64();
        await SeedUsedAsync(user.Sub, quota - 3_000);
        var file = new StringBuilder();
        for (var i = 0; i < 2_000; i++) file.Append(SentimentSample.Rows[i % SentimentSample.Rows.Length].Text).Append($" ({i})\n");
        var bytes = Encoding.UTF8.GetBytes(file.ToString());
        var requests = new List<(string Id, JsonElement Request)>();
        for (var i = 0; i < 3; i++) requests.Add(await cloud.CreateUploadAsync(user, $"part{i}.txt", "text/plain", bytes.Length));

        await Task.WhenAll(requests.Select(async upload =>
        {
            using var put = PresignedPut.Of(upload.Request, bytes);
            using var stored = await cloud.Http.SendAsync(put);
            Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        }));

        var ended = new List<JsonElement>();
        foreach (var (id, _) in requests) ended.Add(await cloud.UploadEndedAsync(user, id));
        var scored = ended.Sum(upload => upload.GetProperty("rowsProcessed").GetInt64() - upload.GetProperty("rowsFailed").GetInt64());
        var usage = await WaitForUsageAsync(user, usage => usage.GetProperty("reserved").GetInt64() == 0
            && usage.GetProperty("rowsScored").GetInt64() + usage.GetProperty("predictions").GetInt64() >= quota - 3_000 + scored);

        Assert.InRange(scored, 1, 3_000);
        Assert.Equal(scored, usage.GetProperty("rowsScored").GetInt64());
        Assert.Equal(quota - 3_000, usage.GetProperty("predictions").GetInt64());
    }

    /// <summary>The user's usage this month as settled work leaves it after <paramref name="texts"/> texts.</summary>
    private async Task SeedUsedAsync(string sub, long texts)
    {
        using var db = cloud.CreateDynamoDb();
        await db.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = cloud.Output("TableName"),
            Key = UsageItem.Key(sub, DateTime.UtcNow.ToString("yyyy-MM")),
            UpdateExpression = "SET predictions = :used, charged = :used",
            ExpressionAttributeValues = new() { [":used"] = new() { N = texts.ToString() } },
        });
    }

    private static long SecondsToNextMonth()
    {
        var now = DateTimeOffset.UtcNow;
        var next = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
        return (long)Math.Ceiling((next - now).TotalSeconds);
    }

    /// <summary>
    /// A prediction item as POST /predictions writes it, after it reserved its texts; without a textCount it is one MeterUsage
    /// cannot read (and nothing was reserved).
    /// </summary>
    private async Task<string> PutPredictionAsync(AmazonDynamoDBClient db, string sub, int? textCount)
    {
        var createdAt = Timestamp.Of(DateTimeOffset.UtcNow);
        var id = Guid.NewGuid().ToString("N");
        if (textCount is { } texts) await ReserveAsync(sub, UsageLedger.PredictionSource(id), texts);
        var item = new Dictionary<string, AttributeValue>
        {
            [Table.PartitionKey] = new() { S = Table.UserPartition(sub) },
            [Table.SortKey] = new() { S = $"{PredictionItem.SortKeyPrefix}{createdAt}#{id}" },
            ["type"] = new() { S = PredictionItem.Type },
            ["predictionId"] = new() { S = id },
            ["createdAt"] = new() { S = createdAt },
            ["usageMonth"] = new() { S = UsageItem.Month(DateTimeOffset.UtcNow) },
        };
        if (textCount is { } count) item["textCount"] = new() { N = count.ToString() };
        await db.PutItemAsync(cloud.Output("TableName"), item);
        return item[Table.SortKey].S;
    }

    private async Task PutUploadAsync(AmazonDynamoDBClient db, string sub, string uploadId, string status, int rowsProcessed = 0,
        int rowsFailed = 0, long objectSize = 0) =>
        await db.PutItemAsync(cloud.Output("TableName"), new Dictionary<string, AttributeValue>(UploadItem.Key(sub, uploadId))
        {
            ["uploadId"] = new() { S = uploadId },
            ["status"] = new() { S = status },
            ["rowsProcessed"] = new() { N = rowsProcessed.ToString() },
            ["rowsFailed"] = new() { N = rowsFailed.ToString() },
            ["objectSize"] = new() { N = objectSize.ToString() },
            ["usageMonth"] = new() { S = UsageItem.Month(DateTimeOffset.UtcNow) },
            ["updatedAt"] = new() { S = Timestamp.Of(DateTimeOffset.UtcNow) },
        });

    /// <summary>Reserves texts as the work's function would, on the template's plan.</summary>
    private async Task ReserveAsync(string sub, string source, long texts)
    {
        using var db = cloud.CreateDynamoDb();
        var ledger = new UsageLedger(db, new Table(cloud.Output("TableName")), new Plan("free", 10_000), TimeProvider.System);
        Assert.Equal(texts, await ledger.ReserveAsync(sub, UsageItem.Month(DateTimeOffset.UtcNow), source, texts, texts,
            CancellationToken.None));
    }

    private async Task<JsonElement> WaitForUsageAsync(TestUser user, Func<JsonElement, bool> done)
    {
        for (var waited = 0; waited < 240; waited++)
        {
            var usage = await GetUsageAsync(user, "");
            if (done(usage)) return usage;
            await Task.Delay(500);
        }
        throw new TimeoutException("GET /usage never showed the metered work.");
    }

    /// <summary>
    /// The on-failure record whose batch starts at the poison record: its sequence number comes from MeterUsage's log
    /// line about it (JSON, with the record's key and sequence number).
    /// </summary>
    private async Task<JsonElement> WaitForFailureRecordAsync(string poisonSortKey)
    {
        var directory = Path.Combine(cloud.Cloud.Options.StateDirectory, "failures", "MeterUsageFunction");
        for (var waited = 0; waited < 240; waited++)
        {
            var line = cloud.Log.FirstOrDefault(line => line.Contains("Bad stream record") && line.Contains(poisonSortKey));
            if (line is not null && Directory.Exists(directory))
            {
                var sequenceNumber = JsonDocument.Parse(line[line.IndexOf('{')..]).RootElement.GetProperty("SequenceNumber").GetString();
                foreach (var file in Directory.GetFiles(directory))
                {
                    var record = JsonDocument.Parse(await File.ReadAllTextAsync(file)).RootElement;
                    if (record.GetProperty("DDBStreamBatchInfo").GetProperty("startSequenceNumber")
                        .GetString() == sequenceNumber) return record;
                }
            }
            await Task.Delay(500);
        }
        throw new TimeoutException("No on-failure record for MeterUsageFunction's poison record.");
    }

    private async Task<JsonElement> GetUsageAsync(TestUser user, string query)
    {
        using var response = await cloud.SendAsync(HttpMethod.Get, "/usage" + query, user.AccessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
