namespace Serverless.Metering;

/// <summary>What every metered item (<see cref="PredictionItem"/>, <see cref="MeteredUpload"/>) carries.</summary>
public static class MeteredItem
{
    /// <summary>
    /// <c>yyyy-MM</c>: the month whose quota the work reserved its texts in (<see cref="UsageLedger"/>), and so the month
    /// it is settled in. An item without one reserved nothing and settles nothing.
    /// </summary>
    public const string UsageMonth = "usageMonth";
}
