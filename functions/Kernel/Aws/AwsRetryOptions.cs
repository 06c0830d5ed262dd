using Serverless.Kernel.Runtime;

namespace Serverless.Kernel.Aws;

/// <summary>
/// How a client retries a call that failed for a reason that may pass (throttling, a 5xx, a timeout or a dropped
/// connection): at most <see cref="MaxAttempts"/> attempts, with full-jitter exponential backoff between them
/// (before retry n, a random wait in [0, min(<see cref="MaxDelay"/>, <see cref="BaseDelay"/> · 2ⁿ⁻¹))), never past the
/// <see cref="Deadline"/>. The defaults follow the AWS SDKs' "standard" retry mode (3 attempts, backoff capped at 20 s).
/// </summary>
public sealed record AwsRetryOptions
{
    public static AwsRetryOptions Default { get; } = new();

    /// <summary>Attempts in all, the first included; 1 turns retrying off.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>The cap of the first retry's random wait; each further retry doubles it.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The largest cap any wait can have.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The least time an attempt is given. A retry happens only if, after its wait, at least this much (or as long as the
    /// failed attempt took, if longer) is left before the <see cref="Deadline"/>; a wait is shortened to leave it.
    /// </summary>
    public TimeSpan MinAttemptTime { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// When the caller's cancellation token fires, or null if unknown (then only the token bounds the waits). By default the
    /// running Lambda invocation's: <see cref="LambdaContext.Deadline"/> less <see cref="LambdaBootstrap.DeadlineMargin"/>,
    /// the moment <see cref="LambdaContext.CancellationToken"/> fires.
    /// </summary>
    public Func<DateTimeOffset?> Deadline { get; init; } = LambdaDeadline;

    /// <summary>The jitter source (<see cref="System.Random.NextDouble"/>); must be thread-safe if the client is shared.</summary>
    public Random Random { get; init; } = Random.Shared;

    /// <summary>When the current Lambda invocation's cancellation token fires; null outside an invocation.</summary>
    public static DateTimeOffset? LambdaDeadline() =>
        LambdaContext.Current is { } context ? context.Deadline - LambdaBootstrap.DeadlineMargin : null;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttempts, 1, nameof(MaxAttempts));
        ArgumentOutOfRangeException.ThrowIfLessThan(BaseDelay, TimeSpan.Zero, nameof(BaseDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDelay, TimeSpan.Zero, nameof(MaxDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MinAttemptTime, TimeSpan.Zero, nameof(MinAttemptTime));
        ArgumentNullException.ThrowIfNull(Deadline, nameof(Deadline));
        ArgumentNullException.ThrowIfNull(Random, nameof(Random));
    }

    /// <summary>The full-jitter wait before retry <paramref name="retry"/> (1 for the first), not yet fitted to the deadline.</summary>
    internal TimeSpan Backoff(int retry)
    {
        var cap = Math.Min(MaxDelay.Ticks, BaseDelay.Ticks * Math.Pow(2, Math.Min(retry - 1, 62)));
        return TimeSpan.FromTicks((long)(cap * Random.NextDouble()));
    }
}
