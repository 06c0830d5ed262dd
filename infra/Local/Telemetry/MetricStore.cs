namespace Serverless.Local.Telemetry;

/// <summary>A metric sample with the invocation that produced it (its trace id as OpenTelemetry and X-Ray write it).</summary>
public sealed record RecordedSample(MetricSample Sample, string FunctionName, string RequestId, XRayTraceHeader Trace);

/// <summary>
/// The metric samples of the last invocations, at most <paramref name="capacity"/> (the oldest go first), for
/// <see cref="MetricsView"/>: the local cloud keeps what it sends the dashboard, whose API serves spans and logs but no metrics.
/// </summary>
public sealed class MetricStore(int capacity = 20_000)
{
    private readonly Queue<RecordedSample> samples = new();
    private readonly Lock gate = new();

    public void Add(IEnumerable<RecordedSample> added)
    {
        lock (gate)
        {
            foreach (var sample in added)
            {
                samples.Enqueue(sample);
                if (samples.Count > capacity) samples.Dequeue();
            }
        }
    }

    public IReadOnlyList<RecordedSample> Snapshot()
    {
        lock (gate) return [.. samples];
    }
}
