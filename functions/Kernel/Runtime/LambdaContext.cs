using Serverless.Kernel.Metrics;

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
        Metrics = new InvocationMetrics(MetricsNamespace, [new(ServiceDimension, ServiceName)], MetricProperties(awsRequestId, traceId));
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

    /// <summary>The metrics this invocation adds (see <see cref="Metric.Add"/>), written when it ends.</summary>
    public InvocationMetrics Metrics { get; }

    public TimeSpan RemainingTime => Deadline - time.GetUtcNow();

    /// <summary>The metrics' one default dimension, as Powertools names it.</summary>
    public const string ServiceDimension = "Service";

    /// <summary>The CloudWatch namespace of the suite's metrics; the template's dashboard and alarms read it.</summary>
    public const string MetricsNamespace = "Serverless";

    /// <summary>
    /// The <see cref="ServiceDimension"/>'s value: the handler's name (<c>_HANDLER</c>, the same in every stack, unlike the
    /// function's name), else the function's name.
    /// </summary>
    public static string ServiceName => NonEmpty("_HANDLER") ?? NonEmpty("AWS_LAMBDA_FUNCTION_NAME") ?? "service_undefined";

    /// <summary>
    /// The members of an invocation's metric lines that make no metric, as Powertools writes them: the request id, and the
    /// trace's root id (<c>Root=1-5759e988-bd862e3fe1be46a994272793;...</c> gives <c>1-5759e988-...</c>).
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> MetricProperties(string requestId, string? traceId)
    {
        List<KeyValuePair<string, string>> properties = [new("function_request_id", requestId)];
        var root = traceId?.Split(';').Select(part => part.Trim())
            .FirstOrDefault(part => part.StartsWith("Root=", StringComparison.Ordinal));
        if (root is { Length: > 5 }) properties.Add(new("xray_trace_id", root[5..]));
        return properties;
    }

    public static string FunctionName => Environment.GetEnvironmentVariable("AWS_LAMBDA_FUNCTION_NAME") ?? "";
    public static string FunctionVersion => Environment.GetEnvironmentVariable("AWS_LAMBDA_FUNCTION_VERSION") ?? "$LATEST";
    public static int MemoryLimitInMB =>
        int.TryParse(Environment.GetEnvironmentVariable("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), out var mb) ? mb : 0;
    public static string LogGroupName => Environment.GetEnvironmentVariable("AWS_LAMBDA_LOG_GROUP_NAME") ?? "";
    public static string LogStreamName => Environment.GetEnvironmentVariable("AWS_LAMBDA_LOG_STREAM_NAME") ?? "";

    private static string? NonEmpty(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : null;
}
