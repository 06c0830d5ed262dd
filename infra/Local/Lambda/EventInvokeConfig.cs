namespace Serverless.Local.Lambda;

/// <summary>
/// How Lambda treats a function's asynchronous invocations (the template's <c>EventInvokeConfig</c>):
/// retries after a function error, the oldest event it still runs, and the <c>DestinationConfig.OnFailure</c>
/// destination's ARN (null: a discarded event is only logged).
/// </summary>
public sealed record EventInvokeConfig(int MaximumRetryAttempts, TimeSpan MaximumEventAge, string? OnFailureDestination)
{
    /// <summary>Lambda's defaults: two retries, six hours, no destination.</summary>
    public static readonly EventInvokeConfig Default = new(2, TimeSpan.FromHours(6), null);
}
