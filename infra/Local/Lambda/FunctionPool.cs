using System.Collections.Concurrent;
using Serverless.Local.Telemetry;

namespace Serverless.Local.Lambda;

/// <summary>
/// A function's execution environments: a warm instance is reused, a new one starts when none is
/// idle, and at most <see cref="FunctionDefinition.MaxConcurrency"/> run at once (further
/// invocations wait their turn). <see cref="Replace"/> moves it to a new build of its code. Each invocation that ran is
/// reported to <paramref name="invoked"/> with its outcome (the local cloud's telemetry).
/// </summary>
public sealed class FunctionPool(FunctionDefinition function, Func<FunctionDefinition, FunctionInstance> create,
    Action<FunctionDefinition, Invocation, InvocationResult>? invoked = null) : IAsyncDisposable
{
    private readonly SemaphoreSlim slots = new(function.MaxConcurrency);
    private readonly ConcurrentStack<FunctionInstance> idle = new();
    private readonly ConcurrentDictionary<string, FunctionInstance> all = new();
    private bool stopped;

    public FunctionDefinition Function => function;

    public FunctionInstance? Find(string instanceId) => all.GetValueOrDefault(instanceId);

    /// <param name="callerTrace">The caller's X-Ray trace header; null starts a new trace (<see cref="Invocation.CallerTrace"/>).</param>
    public async Task<InvocationResult> InvokeAsync(byte[] payload, string requestId, CancellationToken cancellationToken,
        XRayTraceHeader? callerTrace = null)
    {
        await slots.WaitAsync(cancellationToken);
        try
        {
            var instance = TakeIdle() ?? Start();
            var invocation = new Invocation(payload, requestId, callerTrace);
            var result = await instance.RunAsync(invocation);
            invoked?.Invoke(instance.Function, invocation, result);
            if (instance.IsAlive && instance.Function == function)
                idle.Push(instance);
            else
                await RetireAsync(instance);
            return result;
        }
        finally
        {
            slots.Release();
        }
    }

    private FunctionInstance? TakeIdle()
    {
        while (idle.TryPop(out var instance))
        {
            if (instance.IsAlive && instance.Function == function) return instance;
            _ = RetireAsync(instance);
        }
        return null;
    }

    /// <summary>
    /// New invocations start instances of <paramref name="rebuilt"/>; idle instances of the old code stop now, busy ones once
    /// their invocation ends (in-flight invocations finish on the code they started on).
    /// </summary>
    public void Replace(FunctionDefinition rebuilt)
    {
        function = rebuilt;
        while (idle.TryPop(out var instance)) _ = RetireAsync(instance);
    }

    private FunctionInstance Start()
    {
        lock (all)
        {
            // An event source's retry while the local cloud stops would start an instance that nothing stops.
            ObjectDisposedException.ThrowIf(stopped, this);
            var instance = create(function);
            all[instance.Id] = instance;
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
            stopped = true;
            running = [.. all.Values];
        }
        await Task.WhenAll(running.Select(instance => instance.DisposeAsync().AsTask()));
        all.Clear();
    }
}
