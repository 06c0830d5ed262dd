using System.Diagnostics;
using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Local;
using Serverless.Metering;
using Serverless.ServiceDefaults;

namespace Serverless.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench -- streams</c>: the table's stream → MeterUsage path in its own local cloud.
/// Stream lag: sequential prediction items for one user, each timed from its PutItem until the user's
/// <c>USAGE#{yyyy-MM}</c> <c>predictions</c> counter shows it (consistent reads every ~5 ms), as p50/p99/max. Burst:
/// 10,000 prediction items over 50 users written with BatchWriteItem as fast as the table takes them, then the time until
/// the users' counters add up to 10,000, as records/s through MeterUsage. The items are written straight to the table,
/// as POST /predictions writes them, each after its text was reserved as POST /predictions reserves it (outside the
/// timings of the burst): MeterUsage settles that hold.
/// </summary>
internal static class StreamBench
{
    private const int LagWrites = 200;
    private const int BurstWrites = 10_000;
    private const int BurstUsers = 50;
    private const int WritersInFlight = 4;

    public static async Task RunAsync()
    {
        var results = new BenchResults("streams");
        await using var cloud = await BenchCloud.StartAsync();
        using var db = LocalClients.DynamoDb(cloud.Outputs["DynamoDbEndpoint"]);
        var table = new Table(cloud.Outputs["TableName"]);
        var ledger = new UsageLedger(db, table, new Plan("bench", 1_000_000_000), TimeProvider.System);

        // Stream lag. The first write also starts MeterUsage's process: reported on its own.
        var sub = Guid.NewGuid().ToString();
        var lags = new List<double>(LagWrites);
        for (var written = 1; written <= LagWrites + 1; written++)
        {
            var item = await ReservedPredictionAsync(ledger, sub);
            var started = Stopwatch.GetTimestamp();
            await db.PutItemAsync(new PutItemRequest { TableName = table.Name, Item = item });
            await WaitForAsync(async () => (await UsageItem.GetAsync(db, table, sub, Month, CancellationToken.None)).Predictions,
                written, TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(60));
            var lag = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (written == 1) results.Add("MeterUsage cold (first write -> counter, process start included)", lag, "ms");
            else lags.Add(lag);
        }
        lags.Sort();
        double Percentile(double p) => lags[(int)Math.Ceiling(p * lags.Count) - 1];
        var lagFigure = $"stream lag, PutItem -> USAGE counter updated ({LagWrites} sequential writes)";
        results.Add($"{lagFigure} p50", Percentile(0.50), "ms");
        results.Add($"{lagFigure} p99", Percentile(0.99), "ms");
        results.Add($"{lagFigure} max", lags[^1], "ms");

        // Burst: 25 items a BatchWriteItem, a few in flight, then until every record has been metered.
        var subs = Enumerable.Range(0, BurstUsers).Select(_ => Guid.NewGuid().ToString()).ToArray();
        var items = new Dictionary<string, AttributeValue>[BurstWrites];
        await Parallel.ForAsync(0, BurstWrites, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, _) => items[i] = await ReservedPredictionAsync(ledger, subs[i % BurstUsers]));
        var batches = Enumerable.Range(0, BurstWrites / 25)
            .Select(b => Enumerable.Range(b * 25, 25).Select(i => new WriteRequest(new PutRequest(items[i]))).ToList())
            .ToList();
        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, WritersInFlight).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var b && b < batches.Count)
            {
                var requests = new Dictionary<string, List<WriteRequest>> { [table.Name] = batches[b] };
                while (requests.Count > 0) requests = (await db.BatchWriteItemAsync(requests)).UnprocessedItems ?? [];
            }
        }));
        var writePhase = watch.Elapsed;
        await WaitForAsync(() => SumOfPredictionsAsync(db, table, subs), BurstWrites, TimeSpan.FromMilliseconds(50),
            TimeSpan.FromMinutes(10));
        var total = watch.Elapsed;
        var burst = string.Create(CultureInfo.InvariantCulture, $"burst of {BurstWrites:N0} prediction items over {BurstUsers} users");
        results.Add($"{burst}: written (BatchWriteItem of 25, {WritersInFlight} in flight)",
            BurstWrites / writePhase.TotalSeconds, "items/s");
        results.Add($"{burst}: all metered after the first write", total.TotalSeconds, "s");
        // When this is short, the meter kept up with the writer: records/s below is the table's write rate, not the meter's.
        results.Add($"{burst}: all metered after the last write", (total - writePhase).TotalSeconds, "s");
        results.Add($"{burst}: records/s through MeterUsage", BurstWrites / total.TotalSeconds, "records/s");
        await results.SaveAsync();
    }

    /// <summary>The month the bench reserves and MeterUsage settles in; the bench does not straddle a month's end.</summary>
    private static string Month => UsageItem.Month(DateTimeOffset.UtcNow);

    /// <summary>
    /// A one-text prediction item as POST /predictions writes it (see Serverless.Predictions.Predictions), its text
    /// reserved first as POST /predictions reserves it.
    /// </summary>
    private static async Task<Dictionary<string, AttributeValue>> ReservedPredictionAsync(UsageLedger ledger, string userSub)
    {
        var now = DateTimeOffset.UtcNow;
        var time = Timestamp.Of(now);
        var id = Guid.CreateVersion7(now).ToString("N");
        await ledger.ReserveAsync(userSub, Month, UsageLedger.PredictionSource(id), 1, 1, CancellationToken.None);
        return new()
        {
            [Table.PartitionKey] = new() { S = Table.UserPartition(userSub) },
            [Table.SortKey] = new() { S = $"{PredictionItem.SortKeyPrefix}{time}#{id}" },
            ["type"] = new() { S = PredictionItem.Type },
            ["predictionId"] = new() { S = id },
            ["createdAt"] = new() { S = time },
            ["textCount"] = new() { N = "1" },
            ["usageMonth"] = new() { S = Month },
            ["results"] = new() { L = [new() { M = new() { ["label"] = new() { S = "POSITIVE" }, ["score"] = new() { N = "0.98" } } }] },
            [Table.TimeToLive] = new() { N = now.AddDays(90).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) },
        };
    }

    /// <summary>The users' <c>predictions</c> counters added up: one consistent BatchGetItem (at most 100 keys).</summary>
    private static async Task<long> SumOfPredictionsAsync(IAmazonDynamoDB db, Table table, string[] subs)
    {
        var response = await db.BatchGetItemAsync(new BatchGetItemRequest
        {
            RequestItems = new()
            {
                [table.Name] = new KeysAndAttributes
                {
                    Keys = subs.Select(s => UsageItem.Key(s, Month)).ToList(),
                    ConsistentRead = true,
                    ProjectionExpression = UsageItem.Predictions,
                },
            },
        });
        if (response.UnprocessedKeys is { Count: > 0 }) return -1; // read again at the next poll
        return response.Responses[table.Name].Sum(item => item.TryGetValue(UsageItem.Predictions, out var n)
            ? long.Parse(n.N, CultureInfo.InvariantCulture) : 0);
    }

    private static async Task WaitForAsync(Func<Task<long>> count, long expected, TimeSpan poll, TimeSpan limit)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        long seen;
        while ((seen = await count()) < expected)
        {
            if (Stopwatch.GetTimestamp() > deadline) throw new TimeoutException($"The counter reached {seen}, not {expected}, in {limit}.");
            await Task.Delay(poll);
        }
    }
}
