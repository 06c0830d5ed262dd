using System.Text;
using System.Threading.Channels;
using Serverless.Local.Telemetry;

namespace Serverless.Local.Lambda;

/// <summary>
/// Where asynchronous invocations go locally: <see cref="FailuresDirectory"/> takes the on-failure destination's
/// records; retry N waits N × <see cref="RetryDelay"/> (Lambda waits about 1 min, then 2 min).
/// </summary>
public sealed record AsyncInvocationSettings(string FailuresDirectory, TimeSpan RetryDelay)
{
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// One function's internal queue for asynchronous (<c>Event</c>) invocations, as Lambda runs it: each event is
/// attempted, a function error (including a timeout or a crash) is retried up to
/// <see cref="EventInvokeConfig.MaximumRetryAttempts"/> times with the same request id, an event older than
/// <see cref="EventInvokeConfig.MaximumEventAge"/> is not run again, and an event given up on goes to the
/// on-failure destination as Lambda's invocation record (see <see cref="InvocationRecord"/>), or is logged and dropped.
/// The record is written under <see cref="AsyncInvocationSettings.FailuresDirectory"/> whatever the destination; a
/// destination that is a function of this service (<c>Type: Lambda</c>) is also invoked with it asynchronously, as Lambda does.
/// An attempt throttled for want of concurrency (<see cref="AccountConcurrency"/>) is no attempt: the event goes back to
/// the queue and is tried again after a backoff that doubles from <see cref="AsyncInvocationSettings.RetryDelay"/> up to
/// 5 minutes (Lambda's: from 1 s up to 5 minutes), until it is older than its maximum age.
/// </summary>
public sealed class AsyncInvocationQueue : IAsyncDisposable
{
    private readonly Channel<QueuedEvent> queue = Channel.CreateUnbounded<QueuedEvent>();
    private readonly CancellationTokenSource stopping = new();
    private readonly FunctionPool pool;
    private readonly EventInvokeConfig config;
    private readonly AsyncInvocationSettings settings;
    private readonly Action<string> log;
    private readonly Func<string, byte[], string?> invokeDestination;
    private readonly Task dispatching;

    /// <param name="invokeDestination">Queues an asynchronous invocation of the function a destination ARN names with a
    /// payload, and returns its request id; null when the ARN names no function of the service.</param>
    public AsyncInvocationQueue(FunctionPool pool, AsyncInvocationSettings settings, Action<string> log,
        Func<string, byte[], string?> invokeDestination)
    {
        this.pool = pool;
        this.settings = settings;
        this.log = log;
        this.invokeDestination = invokeDestination;
        config = pool.Function.EventInvokeConfig ?? EventInvokeConfig.Default;
        dispatching = DispatchAsync();
    }

    /// <summary>Lambda's longest wait between two attempts of a throttled event.</summary>
    private static readonly TimeSpan MostThrottleBackoff = TimeSpan.FromMinutes(5);

    /// <summary>Queues an event and returns at once; every attempt belongs to the trace the caller named, or to one trace
    /// started now. Throws <see cref="InvocationRefusedException"/> for a payload over 1 MB.</summary>
    public void Enqueue(byte[] payload, string requestId, XRayTraceHeader? callerTrace = null)
    {
        PayloadLimits.CheckRequest(payload.Length, asynchronous: true);
        queue.Writer.TryWrite(new QueuedEvent(requestId, payload, settings.Time.GetUtcNow(),
            callerTrace ?? XRayTraceHeader.New(settings.Time.GetUtcNow())));
    }

    private async Task DispatchAsync()
    {
        try
        {
            await foreach (var queued in queue.Reader.ReadAllAsync(stopping.Token))
                _ = AttemptAsync(queued);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task AttemptAsync(QueuedEvent queued)
    {
        var name = pool.Function.Name;
        try
        {
            if (settings.Time.GetUtcNow() - queued.EnqueuedAt > config.MaximumEventAge)
            {
                await GiveUpAsync(queued, "EventAgeExceeded");
                return;
            }
            if (await InvokeUnlessThrottledAsync(queued) is not { } result)
            {
                await RetryAfterThrottleAsync(queued);
                return;
            }
            queued.Attempts++;
            if (result.FunctionError is null)
            {
                if (queued.Attempts > 1) log($"[{name}] asynchronous invocation {queued.RequestId} succeeded on attempt {queued.Attempts}");
                return;
            }
            queued.LastResult = result;
            if (queued.Attempts > config.MaximumRetryAttempts)
            {
                await GiveUpAsync(queued, "RetriesExhausted");
                return;
            }
            var delay = settings.RetryDelay * queued.Attempts;
            log($"[{name}] asynchronous invocation {queued.RequestId} failed on attempt {queued.Attempts}, "
                + $"retrying in {delay.TotalSeconds:0.###} s: {Encoding.UTF8.GetString(result.Payload)}");
            await Task.Delay(delay, settings.Time, stopping.Token);
            await queue.Writer.WriteAsync(queued, stopping.Token);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            log($"[{name}] asynchronous invocation {queued.RequestId} dropped: the local cloud is stopping");
        }
        catch (Exception error)
        {
            log($"[{name}] asynchronous invocation {queued.RequestId} dropped: {error}");
        }
    }

    /// <summary>The attempt's outcome; null when Lambda throttled it.</summary>
    private async Task<InvocationResult?> InvokeUnlessThrottledAsync(QueuedEvent queued)
    {
        try
        {
            return await pool.InvokeAsync(queued.Payload, queued.RequestId, stopping.Token, queued.CallerTrace);
        }
        catch (InvocationRefusedException refused) when (refused.IsThrottle)
        {
            return null;
        }
    }

    private async Task RetryAfterThrottleAsync(QueuedEvent queued)
    {
        queued.Throttles++;
        var delay = TimeSpan.FromTicks(Math.Min(settings.RetryDelay.Ticks << Math.Min(queued.Throttles - 1, 20),
            MostThrottleBackoff.Ticks));
        if (queued.Throttles == 1)
            log($"[{pool.Function.Name}] asynchronous invocation {queued.RequestId} throttled: no concurrency left; "
                + "retrying with backoff until it runs or grows too old");
        await Task.Delay(delay, settings.Time, stopping.Token);
        await queue.Writer.WriteAsync(queued, stopping.Token);
    }

    private async Task GiveUpAsync(QueuedEvent queued, string condition)
    {
        var name = pool.Function.Name;
        var attempts = $"{queued.Attempts} attempt{(queued.Attempts == 1 ? "" : "s")}";
        if (config.OnFailureDestination is not { } destination)
        {
            log($"[{name}] asynchronous invocation {queued.RequestId} discarded ({condition} after {attempts}): no on-failure destination");
            return;
        }
        var now = settings.Time.GetUtcNow();
        var record = new InvocationRecord(pool.Function, queued.RequestId, condition, queued.Attempts, queued.Payload, queued.LastResult);
        var path = await record.WriteAsync(Path.Combine(settings.FailuresDirectory, name), now, stopping.Token);
        var sent = invokeDestination(destination, record.ToPayload(now)) is { } destinationRequestId
            ? $", and sent to that function as asynchronous invocation {destinationRequestId}"
            : "";
        log($"[{name}] asynchronous invocation {queued.RequestId} failed ({condition} after {attempts}): " +
            $"record for the on-failure destination {destination} written to {path}{sent}");
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await stopping.CancelAsync();
        await dispatching;
    }

    /// <summary>An event in the queue: its request id stays the same across attempts.</summary>
    private sealed class QueuedEvent(string requestId, byte[] payload, DateTimeOffset enqueuedAt, XRayTraceHeader callerTrace)
    {
        public XRayTraceHeader CallerTrace { get; } = callerTrace;
        public string RequestId { get; } = requestId;
        public byte[] Payload { get; } = payload;
        public DateTimeOffset EnqueuedAt { get; } = enqueuedAt;
        public int Attempts { get; set; }
        /// <summary>Attempts Lambda throttled: they do not count as attempts.</summary>
        public int Throttles { get; set; }
        public InvocationResult? LastResult { get; set; }
    }
}
