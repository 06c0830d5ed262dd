using Serverless.Local.Telemetry;

namespace Serverless.Local.Lambda;

/// <summary>
/// One invocation on its way through an instance. An asynchronous invocation's retries carry the same
/// <see cref="RequestId"/>, as on Lambda.
/// </summary>
/// <param name="callerTrace">The caller's <c>X-Amzn-Trace-Id</c>; null starts a new trace.</param>
public sealed class Invocation(byte[] payload, string requestId, XRayTraceHeader? callerTrace = null)
{
    private XRayTraceHeader? trace;
    private readonly TaskCompletionSource<InvocationResult> result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string RequestId { get; } = requestId;
    public byte[] Payload { get; } = payload;
    /// <summary>The trace the invocation belongs to, as the caller named it (<see cref="XRayTraceHeader"/>).</summary>
    public XRayTraceHeader CallerTrace { get; } = callerTrace ?? XRayTraceHeader.New(DateTimeOffset.UtcNow);

    /// <summary>The header the function gets: <see cref="CallerTrace"/> with the invocation's own span as its parent.</summary>
    public XRayTraceHeader Trace => trace ??= CallerTrace.ForInvocation();

    /// <summary>The Runtime API's <c>Lambda-Runtime-Trace-Id</c>.</summary>
    public string TraceId => Trace.ToString();

    /// <summary>When the caller invoked (the invocation span's start: the wait for an instance, its init included).</summary>
    public DateTimeOffset InvokedAt { get; } = DateTimeOffset.UtcNow;

    public Task<InvocationResult> Result => result.Task;

    public bool Complete(InvocationResult outcome) => result.TrySetResult(outcome);
}

/// <summary>
/// What an invocation came to: the response payload, or an error payload with
/// <see cref="FunctionError"/> set (<c>Unhandled</c>, as the Invoke API's <c>X-Amz-Function-Error</c>).
/// </summary>
public sealed record InvocationResult(byte[] Payload, string? FunctionError, TimeSpan Duration, TimeSpan? InitDuration)
{
    /// <summary>The instance's peak resident memory (VmHWM) when the invocation ended, as Lambda's REPORT gives it.</summary>
    public long MaxMemoryUsedMB { get; init; }

    /// <summary>Rounded up to the millisecond and, as for every custom runtime (<c>provided.al2023</c>), with the init duration
    /// (<see cref="InvocationReport.Report"/>).</summary>
    public long BilledDurationMs => (long)Math.Ceiling(Duration.TotalMilliseconds + (InitDuration?.TotalMilliseconds ?? 0));

    /// <summary>Set when Lambda itself ended the invocation (<c>Sandbox.Timedout</c>, <c>Runtime.ExitError</c>,
    /// <c>Runtime.OutOfMemory</c>, …): what the REPORT line's <c>Status</c> and <c>Error Type</c> say.</summary>
    public string? ErrorType { get; init; }

    /// <summary>What the function printed during the invocation; null when it never reached the runtime.</summary>
    public InvocationLog? Log { get; init; }

    public static InvocationResult Error(string errorType, string errorMessage, TimeSpan duration, TimeSpan? initDuration = null) => new(
        System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["errorType"] = errorType,
            ["errorMessage"] = errorMessage }),
        "Unhandled", duration, initDuration);
}
