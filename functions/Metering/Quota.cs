using Amazon.DynamoDBv2;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Serverless.Kernel.Metrics;
using Serverless.ServiceDefaults;

namespace Serverless.Metering;

/// <summary>What a quota check found: whether the request fits, what is left this month, and how long until the next.</summary>
public sealed record QuotaCheck(bool Allowed, long Requested, long Remaining, MonthlyUsage Usage, Plan Plan, TimeSpan UntilReset)
{
    /// <summary>The <c>Retry-After</c> value: whole seconds until the next month starts (UTC), at least 1.</summary>
    public long RetryAfterSeconds => Math.Max(1, (long)Math.Ceiling(UntilReset.TotalSeconds));
}

/// <summary>
/// What the plan's monthly text quota leaves after this month's usage and the texts reserved for work under way. A
/// check only reads, so it answers a caller (a 429 with the numbers; POST /uploads' room for a first row); the work
/// itself reserves its texts with <see cref="UsageLedger"/>, which alone keeps concurrent work within the plan.
/// </summary>
public sealed class Quota(IAmazonDynamoDB db, Table table, Plan plan, TimeProvider time)
{
    public async Task<QuotaCheck> CheckAsync(string userSub, long texts, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var usage = await UsageItem.GetAsync(db, table, userSub, UsageItem.Month(now), cancellationToken);
        var remaining = plan.Remaining(usage);
        return new QuotaCheck(texts <= remaining, texts, remaining, usage, plan, UsageItem.NextMonthStart(now) - now);
    }

    /// <summary>
    /// The 429 answer for a check that did not pass: a problem naming the numbers, and <c>Retry-After</c>. Every quota 429
    /// is made here, so here it is counted (<see cref="MetricNames.QuotaRefusals"/>).
    /// </summary>
    public static ProblemHttpResult TooManyRequests(HttpResponse response, QuotaCheck check)
    {
        Metric.Add(MetricNames.QuotaRefusals, 1);
        response.Headers.RetryAfter = check.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // ASP.NET Core gives every other status its RFC section as the type; 429 has none, and a problem without a type is
        // "about:blank", whose title would have to be the status phrase.
        return TypedResults.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            type: "https://tools.ietf.org/html/rfc6585#section-4",
            title: "Monthly quota exceeded",
            detail: $"This request needs {check.Requested} texts but the {check.Plan.Name} plan has {check.Remaining} of its " +
                $"{check.Plan.MonthlyTexts} left in {check.Usage.Month}; usage starts again at the next month (UTC).",
            extensions: new Dictionary<string, object?>
            {
                ["requested"] = check.Requested,
                ["remaining"] = check.Remaining,
                ["monthlyTexts"] = check.Plan.MonthlyTexts,
                ["month"] = check.Usage.Month,
            });
    }
}
