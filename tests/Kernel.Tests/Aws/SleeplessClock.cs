namespace Serverless.Kernel.Tests.Aws;

/// <summary>
/// A clock that never makes anyone wait: a timer jumps the clock to its due time and fires at once, and each wait is
/// recorded. Only one-shot timers (what <see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/> makes).
/// </summary>
internal sealed class SleeplessClock(DateTimeOffset start) : TimeProvider
{
    private readonly Lock gate = new();
    private readonly List<TimeSpan> waits = [];
    private DateTimeOffset now = start;

    public IReadOnlyList<TimeSpan> Waits
    {
        get { lock (gate) return [.. waits]; }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (gate) return now;
    }

    public void Advance(TimeSpan by)
    {
        lock (gate) now += by;
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (period != Timeout.InfiniteTimeSpan) throw new NotSupportedException("Only one-shot timers.");
        var timer = new FiredTimer();
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            lock (gate)
            {
                waits.Add(dueTime);
                now += dueTime;
            }
            ThreadPool.QueueUserWorkItem(_ => callback(state));
        }
        return timer;
    }

    private sealed class FiredTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => false;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>A <see cref="Random"/> whose <see cref="NextDouble"/> is always the same, for exact backoff waits.</summary>
internal sealed class FixedRandom(double value) : Random
{
    public override double NextDouble() => value;
}
