namespace Serverless.Kernel.Runtime;

/// <summary>
/// One invocation's context, read from the Runtime API's <c>next</c> response headers and the
/// function's environment. Names follow the official <c>ILambdaContext</c>.
/// </summary>
public sealed class LambdaContext
{
    private static readonly AsyncLocal<LambdaContext?> current = new();

    private readonly TimeProvider time;

    public LambdaContext(
        string awsRequestId,
        DateTimeOffset deadline,
        string invokedFunctionArn,
        string? traceId,
        string? clientContext,
        string? identity,
        CancellationToken cancellationToken,
        TimeProvider time)
    {
        AwsRequestId = awsRequestId;
        Deadline = deadline;
        InvokedFunctionArn = invokedFunctionArn;
        TraceId = traceId;
        ClientContext = clientContext;
        Identity = identity;
        CancellationToken = cancellationToken;
        this.time = time;
    }

    /// <summary>The invocation running on this async flow, for log lines; null between invocations.</summary>
    public static LambdaContext? Current
    {
        get => current.Value;
        internal set => current.Value = value;
    }

    public string AwsRequestId { get; }
    public DateTimeOffset Deadline { get; }
    public string InvokedFunctionArn { get; }
    /// <summary>The X-Ray trace header (<c>Lambda-Runtime-Trace-Id</c>), also set as <c>_X_AMZN_TRACE_ID</c>.</summary>
    public string? TraceId { get; }
    /// <summary>Mobile SDK client context as sent (<c>Lambda-Runtime-Client-Context</c>, JSON), if any.</summary>
    public string? ClientContext { get; }
    /// <summary>Cognito identity as sent (<c>Lambda-Runtime-Cognito-Identity</c>, JSON), if any.</summary>
    public string? Identity { get; }
    /// <summary>Cancelled a little before <see cref="Deadline"/>, leaving time to report a result.</summary>
    public CancellationToken CancellationToken { get; }

    public TimeSpan RemainingTime => Deadline - time.GetUtcNow();

    public static string FunctionName => Environment.GetEnvironmentVariable("AWS_LAMBDA_FUNCTION_NAME") ?? "";
    public static string FunctionVersion => Environment.GetEnvironmentVariable("AWS_LAMBDA_FUNCTION_VERSION") ?? "$LATEST";
    public static int MemoryLimitInMB =>
        int.TryParse(Environment.GetEnvironmentVariable("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), out var mb) ? mb : 0;
    public static string LogGroupName => Environment.GetEnvironmentVariable("AWS_LAMBDA_LOG_GROUP_NAME") ?? "";
    public static string LogStreamName => Environment.GetEnvironmentVariable("AWS_LAMBDA_LOG_STREAM_NAME") ?? "";
}
