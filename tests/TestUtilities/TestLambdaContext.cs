using Serverless.Kernel.Runtime;

namespace Serverless.TestUtilities;

/// <summary>
/// An invocation's context for a test, named as Amazon.Lambda.TestUtilities names it: set what the test cares about, and
/// the rest is a plausible invocation. It stands for one <see cref="Kernel.Runtime.LambdaContext"/>, made when first used
/// (so a handler sees the same instance the test holds), with the deadline <see cref="RemainingTime"/> from then.
/// </summary>
public sealed class TestLambdaContext
{
    private readonly Lazy<LambdaContext> context;

    public TestLambdaContext() => context = new(() => new LambdaContext(
        AwsRequestId, Time.GetUtcNow() + RemainingTime, InvokedFunctionArn, TraceId, null, null, CancellationToken, Time));

    public string FunctionName { get; init; } = "test-function";
    public string AwsRequestId { get; init; } = Guid.NewGuid().ToString();
    public TimeSpan RemainingTime { get; init; } = TimeSpan.FromSeconds(30);
    public string? TraceId { get; init; }
    public CancellationToken CancellationToken { get; init; }
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Where what the handler logs goes; give the handler <see cref="TestLambdaLogger"/> as a logger provider.</summary>
    public TestLambdaLogger Logger { get; init; } = new();

    public string InvokedFunctionArn => $"arn:aws:lambda:us-east-1:123456789012:function:{FunctionName}";

    /// <summary>The kernel's context this one stands for.</summary>
    public LambdaContext LambdaContext => context.Value;

    /// <summary>
    /// Runs <paramref name="work"/> as the bootstrap runs a handler (<see cref="LambdaBootstrap"/>): this is the current
    /// invocation while it runs, so its log lines carry the request id and its metrics are this invocation's.
    /// </summary>
    public async Task<T> RunAsync<T>(Func<LambdaContext, Task<T>> work)
    {
        LambdaContext.Current = this;
        try
        {
            return await work(this);
        }
        finally
        {
            LambdaContext.Current = null;
        }
    }

    /// <summary>Writes what the invocation added to its metrics, as the bootstrap does when it ends, and reads it back.</summary>
    public IReadOnlyList<System.Text.Json.JsonElement> FlushMetrics() => MetricLines.Flush(LambdaContext.Metrics, Time.GetUtcNow());

    public static implicit operator LambdaContext(TestLambdaContext context) => context.LambdaContext;
}
