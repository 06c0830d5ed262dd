using Serverless.Kernel.Runtime;

namespace Serverless.Kernel.Metrics;

/// <summary>
/// Adds a metric to the invocation running on this async flow (<see cref="LambdaContext.Current"/>), which
/// <see cref="LambdaBootstrap"/> flushes when the invocation ends (<see cref="InvocationMetrics"/>): handlers add where
/// the behaviour happens and never flush. Outside an invocation nothing would flush it, so nothing is kept.
/// </summary>
public static class Metric
{
    /// <inheritdoc cref="InvocationMetrics.Add"/>
    public static void Add(string name, double value, MetricUnit unit = MetricUnit.Count,
        StorageResolution resolution = StorageResolution.Standard) =>
        LambdaContext.Current?.Metrics.Add(name, value, unit, resolution);
}
