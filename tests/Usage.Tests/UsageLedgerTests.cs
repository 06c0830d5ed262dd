using Amazon.DynamoDBv2.Model;
using Serverless.Metering;
using Serverless.ServiceDefaults;
using Serverless.TestUtilities;

namespace Serverless.Usage.Tests;

/// <summary>Reservations and settlements on the usage item, against DynamoDB Local.</summary>
public sealed class UsageLedgerTests(DynamoDbTable table) : IClassFixture<DynamoDbTable>
{
    private const string Month = "2026-03";
    private static readonly DateTimeOffset Now = new(2026, 3, 14, 12, 0, 0, TimeSpan.Zero);
    private static readonly Plan Plan = new("free", 100);

    private UsageLedger Ledger(DateTimeOffset now) => new(table.Db, table.Table, Plan, new FixedTime(now));

    [Fact]
    public async Task Concurrent_reservations_never_pass_the_plan_and_none_is_lost()
    {
        var sub = Guid.NewGuid().ToString();
        var ledger = Ledger(Now);

        var granted = await Task.WhenAll(Enumerable.Range(0, 60).Select(i =>
            Task.Run(() => ledger.ReserveAsync(sub, Month, $"prediction#{i}", 3, 3, CancellationToken.None))));

        Assert.All(granted, texts => Assert.True(texts is 0 or 3, $"{texts}"));
        Assert.InRange(granted.Sum(), 3, 99);
        var item = await ItemAsync(sub);
        Assert.Equal(granted.Sum(), Number(item, UsageItem.Reserved));
        Assert.Equal(granted.Sum(), Number(item, UsageItem.Charged));
        var holds = item.Where(pair => pair.Key.StartsWith(UsageItem.HoldPrefix, StringComparison.Ordinal));
        Assert.Equal(granted.Sum(), holds.Sum(pair => long.Parse(pair.Value.N)));
        // The last three texts a refused reservation left are still there for one that fits.
        Assert.Equal(100 - granted.Sum(), await ledger.ReserveAsync(sub, Month, "upload#late", 64, 1, CancellationToken.None));
        Assert.Equal(0, await ledger.ReserveAsync(sub, Month, "upload#later", 64, 1, CancellationToken.None));
    }

    [Fact]
    public async Task A_reservation_takes_what_is_left_when_it_may_and_is_refused_when_it_may_not()
    {
        var sub = Guid.NewGuid().ToString();
        var ledger = Ledger(Now);
        await UseAsync(ledger, sub, 90);

        var prediction = await ledger.ReserveAsync(sub, Month, "prediction#a", 11, 11, CancellationToken.None);
        var upload = await ledger.ReserveAsync(sub, Month, "upload#b", 64, 1, CancellationToken.None);
        var usage = await UsageAsync(sub);

        Assert.Equal(0, prediction);
        Assert.Equal(10, upload);
        Assert.Equal(new MonthlyUsage(Month, 0, 90, 0, 0, 10), usage);
        Assert.Equal(0, Plan.Remaining(usage));
    }

    [Fact]
    public async Task Settling_replaces_the_hold_by_what_was_used_once_however_often_it_is_tried()
    {
        var sub = Guid.NewGuid().ToString();
        var ledger = Ledger(Now);
        Assert.Equal(64, await ledger.ReserveAsync(sub, Month, "upload#u", 64, 1, CancellationToken.None));
        Assert.Equal(20, await ledger.ReserveAsync(sub, Month, "upload#u", 20, 1, CancellationToken.None));
        Assert.Equal(84, await ledger.HeldAsync(sub, Month, "upload#u", CancellationToken.None));
        var settlement = new UsageSettlement(sub, Month, "upload#u", 0, 70, 1, 2048);

        var first = await ledger.SettleAsync(settlement, CancellationToken.None);
        var again = await Task.WhenAll(
            Enumerable.Range(0, 5).Select(_ => Task.Run(() => ledger.SettleAsync(settlement, CancellationToken.None))));

        Assert.True(first);
        Assert.All(again, Assert.False);
        Assert.Equal(new MonthlyUsage(Month, 0, 70, 1, 2048, 0), await UsageAsync(sub));
        var item = await ItemAsync(sub);
        Assert.Equal(70, Number(item, UsageItem.Charged));
        Assert.DoesNotContain(item.Keys, name => name.StartsWith("hold", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refused_reservation_releases_holds_past_their_life_and_then_fits()
    {
        var sub = Guid.NewGuid().ToString();
        Assert.Equal(95, await Ledger(Now).ReserveAsync(sub, Month, "upload#crashed", 95, 1, CancellationToken.None));
        var soon = Ledger(Now + UsageLedger.HoldLifetime - TimeSpan.FromMinutes(1));
        var later = Ledger(Now + UsageLedger.HoldLifetime + TimeSpan.FromSeconds(1));

        var whileHeld = await soon.ReserveAsync(sub, Month, "prediction#1", 10, 10, CancellationToken.None);
        var afterwards = await later.ReserveAsync(sub, Month, "prediction#2", 10, 10, CancellationToken.None);
        var settledLate = await later.SettleAsync(new UsageSettlement(sub, Month, "upload#crashed", 0, 95, 1, 1), CancellationToken.None);

        Assert.Equal(0, whileHeld);
        Assert.Equal(10, afterwards);
        Assert.False(settledLate);
        Assert.Equal(new MonthlyUsage(Month, 0, 0, 0, 0, 10), await UsageAsync(sub));
        Assert.Equal(10, Number(await ItemAsync(sub), UsageItem.Charged));
    }

    /// <summary>Usage as settled work leaves it: <paramref name="rowsScored"/> rows of an upload.</summary>
    [Fact]
    public async Task A_usage_item_written_before_reservations_existed_still_counts_its_month()
    {
        var sub = Guid.NewGuid().ToString();
        var ledger = Ledger(Now);
        await table.Db.PutItemAsync(new PutItemRequest
        {
            TableName = table.Table.Name,
            Item = new(UsageItem.Key(sub, Month))
            {
                [UsageItem.Predictions] = new() { N = "60" },
                [UsageItem.RowsScored] = new() { N = "35" },
            },
        });

        Assert.Equal(0, await ledger.ReserveAsync(sub, Month, "prediction#a", 6, 6, CancellationToken.None));
        Assert.Equal(5, await ledger.ReserveAsync(sub, Month, "upload#b", 64, 1, CancellationToken.None));
        Assert.Equal(100, Number(await ItemAsync(sub), UsageItem.Charged));
    }

    private static async Task UseAsync(UsageLedger ledger, string sub, long rowsScored)
    {
        var source = "upload#" + Guid.NewGuid().ToString("N");
        Assert.Equal(rowsScored, await ledger.ReserveAsync(sub, Month, source, rowsScored, rowsScored, CancellationToken.None));
        Assert.True(await ledger.SettleAsync(new UsageSettlement(sub, Month, source, 0, rowsScored, 0, 0), CancellationToken.None));
    }

    private Task<MonthlyUsage> UsageAsync(string sub) => UsageItem.GetAsync(table.Db, table.Table, sub, Month, CancellationToken.None);

    private Task<Dictionary<string, AttributeValue>> ItemAsync(string sub) =>
        UsageItem.GetUsageItemAsync(table.Db, table.Table, sub, Month, CancellationToken.None);

    private static long Number(Dictionary<string, AttributeValue> item, string name) => long.Parse(item[name].N);
}
