using Serverless.Local.Schedules;

namespace Serverless.Local.Tests.Schedules;

/// <summary>EventBridge's schedule expressions as the local scheduler reads them: when each fires next, and what it refuses.</summary>
public sealed class ScheduleExpressionTests
{
    private static readonly DateTimeOffset Created = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset At(string utc) => DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("rate(5 minutes)", "2026-12-07T12:00:00Z", "2026-12-07T12:05:00Z")]
    [InlineData("rate(5 minutes)", "2026-12-07T12:07:30Z", "2026-12-07T12:10:00Z")]
    [InlineData("rate(5 minutes)", "2026-12-07T12:10:00Z", "2026-12-07T12:15:00Z")]
    [InlineData("rate(1 minute)", "2026-12-07T11:00:00Z", "2026-12-07T12:01:00Z")]
    [InlineData("rate(2 hours)", "2026-12-07T13:59:59Z", "2026-12-07T14:00:00Z")]
    [InlineData("rate(1 day)", "2026-12-07T12:00:01Z", "2026-12-08T12:00:00Z")]
    public void A_rate_fires_every_period_from_when_the_rule_was_made(string expression, string after, string next) =>
        Assert.Equal(At(next), ScheduleExpression.Parse(expression, Created).NextAfter(At(after)));

    [Theory]
    [InlineData("cron(0/15 * * * ? *)", "2026-12-07T12:07:00Z", "2026-12-07T12:15:00Z")]
    [InlineData("cron(0/15 * * * ? *)", "2026-12-07T12:15:00Z", "2026-12-07T12:30:00Z")]
    [InlineData("cron(0 10 * * ? *)", "2026-12-07T10:00:30Z", "2026-12-08T10:00:00Z")]
    [InlineData("cron(15 12 * * ? *)", "2026-12-07T12:14:59Z", "2026-12-07T12:15:00Z")]
    // 2026-12-07 is a Monday; day-of-week 1 is Sunday, so MON-FRI is 2-6.
    [InlineData("cron(0 18 ? * MON-FRI *)", "2026-12-11T18:00:00Z", "2026-12-14T18:00:00Z")]
    [InlineData("cron(0 8 ? * 1 *)", "2026-12-07T12:00:00Z", "2026-12-13T08:00:00Z")]
    [InlineData("cron(0 0 1 * ? *)", "2026-12-07T12:00:00Z", "2027-01-01T00:00:00Z")]
    [InlineData("cron(30 6 29 FEB ? *)", "2026-12-07T12:00:00Z", "2028-02-29T06:30:00Z")]
    [InlineData("cron(5,35 14 * JAN,DEC ? 2026-2027)", "2026-12-31T14:35:00Z", "2027-01-01T14:05:00Z")]
    public void A_cron_fires_at_the_next_minute_its_six_fields_allow_in_UTC(string expression, string after, string next) =>
        Assert.Equal(At(next), ScheduleExpression.Parse(expression, Created).NextAfter(At(after)));

    [Theory]
    [InlineData("rate(5 minute)")]
    [InlineData("rate(1 minutes)")]
    [InlineData("rate(0 minutes)")]
    [InlineData("rate(5 weeks)")]
    [InlineData("rate(five minutes)")]
    [InlineData("cron(0 10 * * *)")]
    [InlineData("cron(0 10 * * * *)")]
    [InlineData("cron(0 10 ? * ? *)")]
    [InlineData("cron(60 10 * * ? *)")]
    [InlineData("cron(0 10 L * ? *)")]
    [InlineData("cron(0 10 ? * 6#3 *)")]
    [InlineData("cron(0 10 15W * ? *)")]
    [InlineData("every 5 minutes")]
    public void An_expression_EventBridge_refuses_or_the_local_cloud_does_not_run_is_refused(string expression) =>
        Assert.Throws<FormatException>(() => ScheduleExpression.Parse(expression, Created));

    [Fact]
    public void The_expression_reads_back_as_written() =>
        Assert.Equal("cron(0/15 * * * ? *)", ScheduleExpression.Parse(" cron(0/15 * * * ? *) ", Created).ToString());
}
