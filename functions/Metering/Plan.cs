using System.Globalization;
using Serverless.ServiceDefaults;

namespace Serverless.Metering;

/// <summary>
/// The plan every user is on: its name and how many texts a month it includes (texts classified by
/// POST /predictions plus rows scored by uploads), from the template's <c>PlanName</c> and <c>MonthlyTextQuota</c>
/// parameters (<c>PLAN_NAME</c>, <c>MONTHLY_TEXT_QUOTA</c>).
/// </summary>
public sealed record Plan(string Name, long MonthlyTexts)
{
    public static Plan FromEnvironment()
    {
        var quota = Environment.GetEnvironmentVariable("MONTHLY_TEXT_QUOTA");
        return new Plan(
            FunctionEnvironment.Required("PLAN_NAME"),
            long.TryParse(quota, NumberStyles.None, CultureInfo.InvariantCulture, out var texts)
                ? texts
                : throw new InvalidOperationException($"MONTHLY_TEXT_QUOTA must be a whole number of texts, not '{quota}'."));
    }

    /// <summary>
    /// The texts the plan still includes this month after <paramref name="usage"/> and its reservations; never below 0.
    /// </summary>
    public long Remaining(MonthlyUsage usage) => Math.Max(0, MonthlyTexts - usage.Texts - usage.Reserved);
}
