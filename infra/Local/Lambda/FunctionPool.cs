using System.Collections.Concurrent;
using System.Diagnostics;
using Serverless.Local.Telemetry;

namespace Serverless.Local.Lambda;

/// <summary>
/// A function's execution environments, scaled out as Lambda scales them: each invocation in flight runs on an instance of
/// its own, the most recently used idle one or else a new one, up to the function's concurrency (<see cref="ConcurrencyLimit"/>);
/// beyond it the invocation is throttled, not queued. An instance idle for <see cref="ScalingSettings.IdleTimeout"/> is
/// stopped. <see cref="Replace"/> moves the function to a new build of its code. Each invocation that ran is reported to
/// <c>invoked</c> with its outcome (the local cloud's telemetry).
/// </summary>
public sealed class FunctionPool : IAsyncDisposable
{
    private readonly ConcurrencyLimit concurrency;
    private readonly TimeSpan idleTimeout;
    private readonly Func<FunctionDefinition, FunctionInstance> create;
    private readonly Action<FunctionDefinition, Invocation, InvocationResult>? invoked;
    private readonly Lock gate = new();
    /// <summary>Idle instances with when they went idle (<see cref="Stopwatch"/> ticks), the most recently used last.</summary>
    private readonly List<(FunctionInstance Instance, long IdleSince)> idle = [];
    private readonly ConcurrentDictionary<string, FunctionInstance> all = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly Task reclaiming;
    private FunctionDefinition function;
    private int peakInstances;
    private bool stopped;

    public FunctionPool(FunctionDefinition function, ConcurrencyLimit concurrency, TimeSpan idleTimeout,
        Func<FunctionDefinition, FunctionInstance> create, Action<FunctionDefinition, Invocation, InvocationResult>? invoked = null)
    {
        this.function = function;
        this.concurrency = concurrency;
        this.idleTimeout = idleTimeout;
        this.create = create;
        this.invoked = invoked;
        reclaiming = ReclaimIdleAsync();
    }

    public FunctionDefinition Function => function;

    /// <summary>The instances running now, busy or idle.</summary>
    public int Instances => all.Count;

    /// <summary>The most instances that ran at once (what the load bench reports per function).</summary>
    public int PeakInstances => Volatile.Read(ref peakInstances);

    public FunctionInstance? Find(string instanceId) => all.GetValueOrDefault(instanceId);

    /// <summary>
    /// Runs a synchronous invocation and waits for its outcome, or until <paramref name="cancellationToken"/> fires (the
    /// invocation then runs on, as Lambda's does when its caller gives up). Throws <see cref="InvocationRefusedException"/>
    /// when Lambda would refuse it: a payload over 6 MB, or no concurrency left.
    /// </summary>
    /// <param name="callerTrace">The caller's X-Ray trace header; null starts a new trace (<see cref="Invocation.CallerTrace"/>).</param>
    public Task<InvocationResult> InvokeAsync(byte[] payload, string requestId, CancellationToken cancellationToken,
        XRayTraceHeader? callerTrace = null)
    {
        cancellationToken.ThrowIfCancellationRequested();
        PayloadLimits.CheckRequest(payload.Length, asynchronous: false);
        concurrency.Take();
        return RunAsync(new Invocation(payload, requestId, callerTrace)).WaitAsync(cancellationToken);
    }

    private async Task<InvocationResult> RunAsync(Invocation invocation)
    {
        try
        {
            var instance = TakeIdle() ?? Start();
            var result = await instance.RunAsync(invocation);
            invoked?.Invoke(instance.Function, invocation, result);
            if (!instance.IsAlive || instance.Function != function || !ReturnIdle(instance))
                await RetireAsync(instance);
            return result;
        }
        finally
        {
            concurrency.Release();
        }
    }

    private FunctionInstance? TakeIdle()
    {
        while (true)
        {
            FunctionInstance instance;
            lock (gate)
            {
                if (idle.Count == 0) return null;
                instance = idle[^1].Instance;
                idle.RemoveAt(idle.Count - 1);
            }
            if (instance.IsAlive && instance.Function == function) return instance;
            _ = RetireAsync(instance);
        }
    }

    /// <returns>False once the pool stopped: the instance is not kept.</returns>
    private bool ReturnIdle(FunctionInstance instance)
    {
        lock (gate)
        {
            if (stopped) return false;
            idle.Add((instance, Stopwatch.GetTimestamp()));
            return true;
        }
    }

    /// <summary>Stops the instances idle longer than the idle timeout, checking twice per timeout (at least every 30 s).</summary>
    private async Task ReclaimIdleAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromTicks(Math.Min(idleTimeout.Ticks / 2, TimeSpan.FromSeconds(30).Ticks)));
        try
        {
            while (await timer.WaitForNextTickAsync(stopping.Token))
            {
                List<FunctionInstance> expired;
                lock (gate)
                {
                    var count = idle.TakeWhile(entry => Stopwatch.GetElapsedTime(entry.IdleSince) >= idleTimeout).Count();
                    expired = idle.Take(count).Select(entry => entry.Instance).ToList();
                    idle.RemoveRange(0, count);
                }
                await Task.WhenAll(expired.Select(RetireAsync));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// New invocations start instances of <paramref name="rebuilt"/>; idle instances of the old code stop now, busy ones once
    /// their invocation ends (in-flight invocations finish on the code they started on).
    /// </summary>
    public void Replace(FunctionDefinition rebuilt)
    {
        function = rebuilt;
        List<FunctionInstance> old;
        lock (gate)
        {
            old = idle.Select(entry => entry.Instance).ToList();
            idle.Clear();
        }
        foreach (var instance in old) _ = RetireAsync(instance);
    }

    private FunctionInstance Start()
    {
        lock (all)
        {
            // An event source's retry while the local cloud stops would start an instance that nothing stops.
            ObjectDisposedException.ThrowIf(stopped, this);
            var instance = create(function);
            all[instance.Id] = instance;
            peakInstances = Math.Max(peakInstances, all.Count);
            instance.Start();
            return instance;
        }
    }

    private async Task RetireAsync(FunctionInstance instance)
    {
        all.TryRemove(instance.Id, out _);
        await instance.DisposeAsync();
    }

    /// <summary>Stops every instance at once; no new one starts from then on.</summary>
    public async ValueTask DisposeAsync()
    {
        List<FunctionInstance> running;
        lock (all)
        {
            lock (gate) stopped = true;
            running = [.. all.Values];
        }
        await stopping.CancelAsync();
        await reclaiming;
        await Task.WhenAll(running.Select(instance => instance.DisposeAsync().AsTask()));
        all.Clear();
        stopping.Dispose();
    }
}
