using System.Collections.Concurrent;

namespace Serverless.Local.Lambda;

/// <summary>
/// A function's execution environments: a warm instance is reused, a new one starts when none is
/// idle, and at most <see cref="FunctionDefinition.MaxConcurrency"/> run at once (further
/// invocations wait their turn). <see cref="Replace"/> moves it to a new build of its code.
/// </summary>
public sealed class FunctionPool(FunctionDefinition function, Func<FunctionDefinition, FunctionInstance> create) : IAsyncDisposable
{
    private readonly SemaphoreSlim slots = new(function.MaxConcurrency);
    private readonly ConcurrentStack<FunctionInstance> idle = new();
    private readonly ConcurrentDictionary<string, FunctionInstance> all = new();

    public FunctionDefinition Function => function;

    public FunctionInstance? Find(string instanceId) => all.GetValueOrDefault(instanceId);

    public async Task<InvocationResult> InvokeAsync(byte[] payload, string requestId, CancellationToken cancellationToken)
    {
        await slots.WaitAsync(cancellationToken);
        try
        {
            var instance = TakeIdle() ?? Start();
            var result = await instance.RunAsync(new Invocation(payload, requestId));
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
        var instance = create(function);
        all[instance.Id] = instance;
        instance.Start();
        return instance;
    }

    private async Task RetireAsync(FunctionInstance instance)
    {
        all.TryRemove(instance.Id, out _);
        await instance.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in all.Values) await instance.DisposeAsync();
        all.Clear();
    }
}
