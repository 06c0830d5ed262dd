using Serverless.ServiceDefaults;

namespace Serverless.Usage.Tests;

/// <summary>The quota check on this month's metered usage, and Retry-After until the next month (UTC).</summary>
public sealed class QuotaTests(TableFixture table) : IClassFixture<TableFixture>
{
    private static readonly DateTimeOffset LastMinuteOfMonth = new(2026, 1, 31, 23, 59, 30, TimeSpan.Zero);

    [Fact]
    public async Task A_request_fits_up_to_the_limit_and_not_one_text_past_it()
    {
        var sub = Guid.NewGuid().ToString();
        await new UsageMeter(table.Db, table.Table, new FixedTime(LastMinuteOfMonth))
            .ApplyAsync(new UsageChange(sub, "2026-01", "PREDICTION#x", 6, 3, 0, 0), "event-1", CancellationToken.None);
        var quota = new Quota(table.Db, table.Table, new Plan("free", 10), new FixedTime(LastMinuteOfMonth));

        var fits = await quota.CheckAsync(sub, 1, CancellationToken.None);
        var passes = await quota.CheckAsync(sub, 2, CancellationToken.None);

        Assert.True(fits.Allowed);
        Assert.False(passes.Allowed);
        Assert.Equal(1, passes.Remaining);
        Assert.Equal(30, passes.RetryAfterSeconds);
    }

    [Fact]
    public async Task Last_months_usage_does_not_count_and_a_new_user_has_the_whole_plan()
    {
        var sub = Guid.NewGuid().ToString();
        await new UsageMeter(table.Db, table.Table, new FixedTime(LastMinuteOfMonth))
            .ApplyAsync(new UsageChange(sub, "2026-01", "PREDICTION#y", 10, 0, 0, 0), "event-2", CancellationToken.None);
        var february = new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero);
        var quota = new Quota(table.Db, table.Table, new Plan("free", 10), new FixedTime(february));

        var check = await quota.CheckAsync(sub, 10, CancellationToken.None);

        Assert.True(check.Allowed);
        Assert.Equal(10, check.Remaining);
        Assert.Equal(28 * 24 * 3600, check.RetryAfterSeconds);
    }
}
