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
    public async Task A_batch_is_one_update_a_user_and_month_and_counts_nothing_when_it_comes_again()
    {
        var (ann, bob) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        var db = new ObservedDynamoDb(table.Db);
        var ledger = new UsageLedger(db, table.Table, Plan, new FixedTime(Now));
        foreach (var (sub, month, source, texts) in new[]
        {
            (ann, Month, "prediction#1", 3L), (bob, Month, "prediction#2", 5), (ann, "2026-02", "prediction#3", 2),
            (ann, Month, "upload#4", 40), (ann, Month, "prediction#5", 1), (ann, Month, "prediction#gone", 1),
        })
            Assert.Equal(texts, await ledger.ReserveAsync(sub, month, source, texts, texts, CancellationToken.None));
        Assert.True(await ledger.SettleAsync(new UsageSettlement(ann, Month, "prediction#gone", 1, 0, 0, 0), CancellationToken.None));
        var before = db.Updates.Count;
        UsageSettlement[] batch =
        [
            new(ann, Month, "prediction#1", 3, 0, 0, 0),
            new(bob, Month, "prediction#2", 4, 0, 0, 0),
            new(ann, "2026-02", "prediction#3", 2, 0, 0, 0),
            new(ann, Month, "upload#4", 0, 30, 1, 4096),
            new(ann, Month, "prediction#gone", 1, 0, 0, 0),
            new(ann, Month, "prediction#5", 1, 0, 0, 0),
        ];

        var first = await ledger.SettleAllAsync(batch, CancellationToken.None);
        var firstUpdates = db.Updates.Skip(before).ToList();
        var again = await ledger.SettleAllAsync(batch, CancellationToken.None);

        Assert.Equal([true, true, true, true, false, true], first.Select(outcome => outcome.Settled));
        Assert.All(first.Concat(again), outcome => Assert.Null(outcome.Error));
        Assert.All(again, outcome => Assert.False(outcome.Settled));
        Assert.Equal(3, firstUpdates.Count);
        Assert.Equal(before + 3, db.Updates.Count);
        Assert.Contains(firstUpdates, update => ObservedDynamoDb.HoldsSettled(update)
            .SequenceEqual(["hold#prediction#1", "hold#prediction#5", "hold#upload#4"]));
        Assert.Equal(new MonthlyUsage(Month, 3 + 1 + 1, 30, 1, 4096, 0), await UsageAsync(ann));
        Assert.Equal(new MonthlyUsage(Month, 4, 0, 0, 0, 0), await UsageAsync(bob));
        Assert.Equal(new MonthlyUsage("2026-02", 2, 0, 0, 0, 0),
            await UsageItem.GetAsync(table.Db, table.Table, ann, "2026-02", CancellationToken.None));
        Assert.Equal(35, Number(await ItemAsync(ann), UsageItem.Charged));
    }

    [Fact]
    public async Task A_settlement_that_finds_a_hold_settled_meanwhile_writes_only_the_rest()
    {
        var sub = Guid.NewGuid().ToString();
        var db = new ObservedDynamoDb(table.Db);
        var ledger = new UsageLedger(db, table.Table, Plan, new FixedTime(Now));
        foreach (var source in new[] { "prediction#a", "prediction#b", "prediction#c" })
            Assert.Equal(4, await ledger.ReserveAsync(sub, Month, source, 4, 4, CancellationToken.None));
        var racer = Ledger(Now);
        var raced = false;
        // The same record delivered again, settled by another invocation between this one's read and its write.
        db.BeforeUpdate = async update =>
        {
            if (raced || !update.UpdateExpression.StartsWith("REMOVE", StringComparison.Ordinal)) return;
            raced = true;
            Assert.True(await racer.SettleAsync(new UsageSettlement(sub, Month, "prediction#b", 2, 0, 0, 0), CancellationToken.None));
        };
        var before = db.Updates.Count;

        var outcomes = await ledger.SettleAllAsync(
        [
            new(sub, Month, "prediction#a", 3, 0, 0, 0),
            new(sub, Month, "prediction#b", 2, 0, 0, 0),
            new(sub, Month, "prediction#c", 4, 0, 0, 0),
        ], CancellationToken.None);

        Assert.Equal([true, false, true], outcomes.Select(outcome => outcome.Settled));
        Assert.All(outcomes, outcome => Assert.Null(outcome.Error));
        var updates = db.Updates.Skip(before).Select(ObservedDynamoDb.HoldsSettled).ToList();
        Assert.Equal(2, updates.Count);
        Assert.Equal(["hold#prediction#a", "hold#prediction#b", "hold#prediction#c"], updates[0]);
        Assert.Equal(["hold#prediction#a", "hold#prediction#c"], updates[1]);
        Assert.Equal(new MonthlyUsage(Month, 3 + 2 + 4, 0, 0, 0, 0), await UsageAsync(sub));
        var item = await ItemAsync(sub);
        Assert.Equal(9, Number(item, UsageItem.Charged));
        Assert.DoesNotContain(item.Keys, name => name.StartsWith("hold", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_settlement_after_the_account_was_purged_writes_nothing_back()
    {
        var sub = Guid.NewGuid().ToString();
        var db = new ObservedDynamoDb(table.Db);
        var ledger = new UsageLedger(db, table.Table, Plan, new FixedTime(Now));
        Assert.Equal(4, await ledger.ReserveAsync(sub, Month, "prediction#a", 4, 4, CancellationToken.None));
        // The purge deletes the partition between the settlement's read and its write.
        db.BeforeUpdate = async update =>
        {
            if (update.UpdateExpression.StartsWith("REMOVE", StringComparison.Ordinal))
                await table.Db.DeleteItemAsync(table.Table.Name, UsageItem.Key(sub, Month));
        };

        var outcomes = await ledger.SettleAllAsync([new(sub, Month, "prediction#a", 4, 0, 0, 0)], CancellationToken.None);

        Assert.False(Assert.Single(outcomes).Settled);
        Assert.Empty(await ItemAsync(sub));
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
