namespace Serverless.Kernel.Metrics;

/// <summary>The units CloudWatch takes for a metric (<c>StandardUnit</c>); EMF writes them by their CloudWatch names.</summary>
public enum MetricUnit
{
    Count,
    Seconds,
    Microseconds,
    Milliseconds,
    Bytes,
    Kilobytes,
    Megabytes,
    Gigabytes,
    Terabytes,
    Bits,
    Kilobits,
    Megabits,
    Gigabits,
    Terabits,
    Percent,
    BytesPerSecond,
    KilobytesPerSecond,
    MegabytesPerSecond,
    GigabytesPerSecond,
    TerabytesPerSecond,
    BitsPerSecond,
    KilobitsPerSecond,
    MegabitsPerSecond,
    GigabitsPerSecond,
    TerabitsPerSecond,
    CountPerSecond,
    None,
}

/// <summary>How finely CloudWatch stores a metric: standard (one value a minute) or high (one a second, at a higher price).</summary>
public enum StorageResolution
{
    Standard = 60,
    High = 1,
}

internal static class MetricUnitNames
{
    /// <summary>The unit's CloudWatch name (<c>Bytes/Second</c> for <see cref="MetricUnit.BytesPerSecond"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not one of the enum's values.</exception>
    public static string Name(this MetricUnit unit) => unit switch
    {
        MetricUnit.Count => "Count",
        MetricUnit.Seconds => "Seconds",
        MetricUnit.Microseconds => "Microseconds",
        MetricUnit.Milliseconds => "Milliseconds",
        MetricUnit.Bytes => "Bytes",
        MetricUnit.Kilobytes => "Kilobytes",
        MetricUnit.Megabytes => "Megabytes",
        MetricUnit.Gigabytes => "Gigabytes",
        MetricUnit.Terabytes => "Terabytes",
        MetricUnit.Bits => "Bits",
        MetricUnit.Kilobits => "Kilobits",
        MetricUnit.Megabits => "Megabits",
        MetricUnit.Gigabits => "Gigabits",
        MetricUnit.Terabits => "Terabits",
        MetricUnit.Percent => "Percent",
        MetricUnit.None => "None",
        MetricUnit.BytesPerSecond => "Bytes/Second",
        MetricUnit.KilobytesPerSecond => "Kilobytes/Second",
        MetricUnit.MegabytesPerSecond => "Megabytes/Second",
        MetricUnit.GigabytesPerSecond => "Gigabytes/Second",
        MetricUnit.TerabytesPerSecond => "Terabytes/Second",
        MetricUnit.BitsPerSecond => "Bits/Second",
        MetricUnit.KilobitsPerSecond => "Kilobits/Second",
        MetricUnit.MegabitsPerSecond => "Megabits/Second",
        MetricUnit.GigabitsPerSecond => "Gigabits/Second",
        MetricUnit.TerabitsPerSecond => "Terabits/Second",
        MetricUnit.CountPerSecond => "Count/Second",
        _ => throw new ArgumentOutOfRangeException(nameof(unit), unit, "Not a CloudWatch unit."),
    };
}
