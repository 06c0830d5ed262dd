namespace Serverless.Local.Lambda;

/// <summary>
/// How the local Lambda service scales functions out: the account's concurrency limit (<see cref="AccountConcurrency"/>)
/// and how long an instance may stay idle before it is stopped.
/// </summary>
/// <param name="AccountConcurrency">Invocations in flight at once across the functions without a reservation, plus every
/// reservation. Lambda's default is 1,000; locally each instance is a process, so the default is
/// <see cref="DefaultAccountConcurrency"/>.</param>
/// <param name="IdleTimeout">An instance that served no invocation for this long is stopped (Lambda keeps an idle
/// environment for minutes, and does not say how many).</param>
public sealed record ScalingSettings(int AccountConcurrency, TimeSpan IdleTimeout)
{
    /// <summary>
    /// 100: enough that 50 concurrent users spread over the API functions never throttle, few enough that a runaway
    /// caller cannot start a thousand processes on a laptop (each instance takes 30 to 80 MB).
    /// </summary>
    public const int DefaultAccountConcurrency = 100;

    /// <summary>5 minutes: the shortest time Lambda is commonly seen to keep an idle environment.</summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromMinutes(5);

    public static readonly ScalingSettings Default = new(DefaultAccountConcurrency, DefaultIdleTimeout);
}

/// <summary>
/// Lambda's concurrency model: every invocation in flight holds one unit of concurrency, from its function's reservation
/// (<c>ReservedConcurrentExecutions</c>, also its most) or else from the unreserved pool that the functions without one
/// share (the account limit less every reservation). An invocation beyond its limit is throttled at once
/// (<see cref="InvocationRefusedException.Throttled"/>), never queued; idle instances hold no concurrency.
/// </summary>
public sealed class AccountConcurrency(int limit)
{
    private readonly ConcurrencyLimit unreserved = new(limit, "ConcurrentInvocationLimitExceeded");
    private readonly Lock gate = new();
    private int reserved;

    /// <summary>The limit a function's invocations count against; a reservation is taken from the unreserved pool.</summary>
    public ConcurrencyLimit For(FunctionDefinition function)
    {
        if (function.ReservedConcurrency is not { } reservation) return unreserved;
        lock (gate)
        {
            // Lambda refuses a reservation the account cannot give (PutFunctionConcurrency's LimitExceededException).
            if (reserved + reservation > limit)
                throw new InvalidOperationException($"{function.Name} reserves {reservation} of the account's concurrency of {limit}, "
                    + $"of which {limit - reserved} is left: raise the local account limit (--concurrency).");
            reserved += reservation;
            unreserved.Limit = limit - reserved;
        }
        return new ConcurrencyLimit(reservation, "ReservedFunctionConcurrentInvocationLimitExceeded");
    }
}

/// <summary>One pool of concurrency: <see cref="Take"/> before an invocation runs, <see cref="Release"/> once it ended.</summary>
/// <param name="throttleReason">The <c>Reason</c> a throttled invocation's <c>TooManyRequestsException</c> gives.</param>
public sealed class ConcurrencyLimit(int limit, string throttleReason)
{
    private int inFlight;
    private volatile int currentLimit = limit;

    public int Limit
    {
        get => currentLimit;
        internal set => currentLimit = value;
    }

    public void Take()
    {
        if (Interlocked.Increment(ref inFlight) <= currentLimit) return;
        Interlocked.Decrement(ref inFlight);
        throw InvocationRefusedException.Throttled(throttleReason);
    }

    public void Release() => Interlocked.Decrement(ref inFlight);
}
