using System.Globalization;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Amazon.DynamoDBv2;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Serverless.Metering;
using Serverless.ServiceDefaults;

namespace Serverless.Usage;

/// <summary>
/// A month's usage against the plan: the settled counters, and the texts <c>reserved</c> for work under way (or done
/// and not yet settled). <c>remaining.texts</c> leaves out both and never goes below zero.
/// </summary>
public sealed record UsageReport(
    string Month, long Predictions, long RowsScored, long Uploads, long Bytes, long Reserved, UsagePlan Plan,
    UsageRemaining Remaining, DateTimeOffset ResetsAt);

public sealed record UsagePlan(string Name, long MonthlyTexts);

/// <summary>What the plan still allows in the month: texts for POST /predictions and uploads together.</summary>
public sealed record UsageRemaining(long Texts);

/// <summary>
/// <c>GET /usage</c>: this month's counters (UTC), or those of <c>?month=YYYY-MM</c>, with the plan's quota and what
/// remains of it. Work reserves its texts before it starts; they move from <c>reserved</c> to the counters when the
/// table's stream settles the work, so the newest work shows there after the stream's lag.
/// </summary>
public static partial class GetUsage
{
    public static RouteHandlerBuilder MapGetUsage(this RouteGroupBuilder usage) =>
        usage.MapGet("", HandleAsync).WithName(nameof(GetUsage));

    public static async Task<Results<Ok<UsageReport>, ValidationProblem>> HandleAsync(
        ClaimsPrincipal user, string? month, IAmazonDynamoDB db, Table table, Plan plan, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var thisMonth = UsageItem.Month(time.GetUtcNow());
        month ??= thisMonth;
        if (MonthStart(month) is not { } monthStart)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["month"] = [$"month must be a calendar month as YYYY-MM (e.g. {thisMonth}), not '{month}'."],
            });
        var usage = await UsageItem.GetAsync(db, table, user.Sub(), month, cancellationToken);
        return TypedResults.Ok(new UsageReport(
            usage.Month, usage.Predictions, usage.RowsScored, usage.Uploads, usage.Bytes, usage.Reserved,
            new UsagePlan(plan.Name, plan.MonthlyTexts),
            new UsageRemaining(plan.Remaining(usage)),
            UsageItem.NextMonthStart(monthStart)));
    }

    /// <summary>
    /// The first instant (UTC) of a month written YYYY-MM in ASCII digits, from 0001-01 to 9999-11 (the last whose next
    /// month a <see cref="DateTimeOffset"/> holds); null for anything else, which would otherwise fail the parse or the
    /// reset time as a 500.
    /// </summary>
    private static DateTimeOffset? MonthStart(string month) =>
        MonthFormat().IsMatch(month)
        && DateTimeOffset.TryParseExact(
            month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var start)
        && start < LastMonthStart
            ? start
            : null;

    private static readonly DateTimeOffset LastMonthStart = new(9999, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [GeneratedRegex("^[0-9]{4}-(0[1-9]|1[0-2])$")]
    private static partial Regex MonthFormat();
}
