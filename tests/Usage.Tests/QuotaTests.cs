using Serverless.Metering;
using Serverless.ServiceDefaults;
using Serverless.TestUtilities;

namespace Serverless.Usage.Tests;

/// <summary>The quota check on this month's usage and reservations, and Retry-After until the next month (UTC).</summary>
public sealed class QuotaTests(DynamoDbTable table) : IClassFixture<DynamoDbTable>
{
    private static readonly DateTimeOffset LastMinuteOfMonth = new(2026, 1, 31, 23, 59, 30, TimeSpan.Zero);
    private static readonly Plan Plan = new("free", 10);

    [Fact]
    public async Task A_request_fits_up_to_the_limit_less_what_is_reserved_and_not_one_text_past_it()
    {
        var sub = Guid.NewGuid().ToString();
        var ledger = new UsageLedger(table.Db, table.Table, Plan, new FixedTime(LastMinuteOfMonth));
        await ledger.ReserveAsync(sub, "2026-01", "prediction#x", 6, 6, CancellationToken.None);
        await ledger.SettleAsync(new UsageSettlement(sub, "2026-01", "prediction#x", 6, 0, 0, 0), CancellationToken.None);
        await ledger.ReserveAsync(sub, "2026-01", "upload#y", 3, 3, CancellationToken.None);
        var quota = new Quota(table.Db, table.Table, Plan, new FixedTime(LastMinuteOfMonth));

        var fits = await quota.CheckAsync(sub, 1, CancellationToken.None);
        var passes = await quota.CheckAsync(sub, 2, CancellationToken.None);

        Assert.True(fits.Allowed);
        Assert.False(passes.Allowed);
        Assert.Equal(1, passes.Remaining);
        Assert.Equal(3, passes.Usage.Reserved);
        Assert.Equal(30, passes.RetryAfterSeconds);
    }

    [Fact]
    public async Task Last_months_usage_does_not_count_and_a_new_user_has_the_whole_plan()
    {
        var sub = Guid.NewGuid().ToString();
        await new UsageLedger(table.Db, table.Table, Plan, new FixedTime(LastMinuteOfMonth))
            .ReserveAsync(sub, "2026-01", "prediction#y", 10, 10, CancellationToken.None);
        var february = new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero);
        var quota = new Quota(table.Db, table.Table, Plan, new FixedTime(february));

        var check = await quota.CheckAsync(sub, 10, CancellationToken.None);

        Assert.True(check.Allowed);
        Assert.Equal(10, check.Remaining);
        Assert.Equal(28 * 24 * 3600, check.RetryAfterSeconds);
    }
}
