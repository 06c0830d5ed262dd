namespace Serverless.Local.Lambda;

/// <summary>
/// One invocation on its way through an instance. An asynchronous invocation's retries carry the same
/// <see cref="RequestId"/>, as on Lambda.
/// </summary>
public sealed class Invocation(byte[] payload, string requestId)
{
    private readonly TaskCompletionSource<InvocationResult> result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string RequestId { get; } = requestId;
    public byte[] Payload { get; } = payload;
    /// <summary>An X-Ray trace header: <c>Root=1-{epoch seconds, hex}-{24 hex digits}</c>.</summary>
    public string TraceId { get; } =
        $"Root=1-{DateTimeOffset.UtcNow.ToUnixTimeSeconds():x8}-{Guid.NewGuid().ToString("N")[..24]};Sampled=0";
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

    /// <summary>What the function printed during the invocation; null when it never reached the runtime.</summary>
    public InvocationLog? Log { get; init; }

    public static InvocationResult Error(string errorType, string errorMessage, TimeSpan duration, TimeSpan? initDuration = null) => new(
        System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["errorType"] = errorType,
            ["errorMessage"] = errorMessage }),
        "Unhandled", duration, initDuration);
}
