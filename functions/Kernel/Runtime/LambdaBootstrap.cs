using Microsoft.Extensions.Logging;
using Serverless.Kernel.Logging;
using Serverless.Kernel.Metrics;

namespace Serverless.Kernel.Runtime;

/// <summary>Handles one invocation: the event's bytes in, the response's bytes out.</summary>
public delegate Task<byte[]> LambdaHandler(byte[] payload, LambdaContext context);

/// <summary>
/// The custom runtime's main loop (<c>provided.al2023</c>): picks the handler named by
/// <c>_HANDLER</c>, reports init errors, then serves invocations one at a time until the process
/// is stopped. An invocation that throws is reported as that invocation's error and the loop goes on. Each invocation's
/// metrics (<see cref="LambdaContext.Metrics"/>) are written when it ends, whatever its outcome, with a <c>ColdStart</c> line
/// on the process's first.
/// </summary>
public static class LambdaBootstrap
{
    /// <summary>The token fires this long before the deadline so a handler can still report.</summary>
    public static readonly TimeSpan DeadlineMargin = TimeSpan.FromMilliseconds(250);

    /// <summary>Where Lambda's runtimes keep the current invocation's trace header, which the AWS SDKs read.</summary>
    public const string TraceIdVariable = "_X_AMZN_TRACE_ID";

    /// <summary>The process's main: reads <c>AWS_LAMBDA_RUNTIME_API</c> and <c>_HANDLER</c>, logs JSON lines to stdout.</summary>
    public static async Task<int> RunAsync(IReadOnlyDictionary<string, Func<ILoggerFactory, Task<LambdaHandler>>> handlers)
    {
        using var loggerFactory = LoggerFactory.Create(logging => logging.AddLambdaJson());
        var runtimeApi = Environment.GetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API");
        if (string.IsNullOrEmpty(runtimeApi))
        {
            loggerFactory.CreateLogger(typeof(LambdaBootstrap)).LogCritical(
                "AWS_LAMBDA_RUNTIME_API is not set: this bootstrap runs under a Lambda Runtime API (see infra/Local).");
            return 1;
        }
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        return await RunAsync(handlers, Environment.GetEnvironmentVariable("_HANDLER") ?? "",
            new RuntimeApiClient(http, runtimeApi), loggerFactory, TimeProvider.System, CancellationToken.None, StandardOutput.Stream);
    }

    /// <summary>Init, then the invocation loop until <paramref name="stopping"/> fires; 1 after an init error.</summary>
    /// <param name="metricsOutput">Where the metric lines go (stdout in the function).</param>
    public static async Task<int> RunAsync(
        IReadOnlyDictionary<string, Func<ILoggerFactory, Task<LambdaHandler>>> handlers, string handlerName,
        RuntimeApiClient client, ILoggerFactory loggerFactory, TimeProvider time, CancellationToken stopping, Stream metricsOutput)
    {
        var logger = loggerFactory.CreateLogger(typeof(LambdaBootstrap));
        LambdaHandler handler;
        try
        {
            if (!handlers.TryGetValue(handlerName, out var create))
                throw new HandlerNotFoundException(
                    $"No handler named '{handlerName}' in this package; it has: {string.Join(", ", handlers.Keys)}.");
            handler = await create(loggerFactory);
        }
        catch (Exception exception)
        {
            logger.LogCritical(exception, "Init failed for handler {Handler}", handlerName);
            await client.SendInitErrorAsync(LambdaError.From(exception), CancellationToken.None);
            return 1;
        }

        var coldStart = true;
        while (!stopping.IsCancellationRequested)
        {
            RuntimeApiClient.Invocation invocation;
            try
            {
                invocation = await client.NextAsync(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            await InvokeAsync(client, handler, invocation, logger, time, metricsOutput, coldStart);
            coldStart = false;
        }
        return 0;
    }

    private static async Task InvokeAsync(RuntimeApiClient client, LambdaHandler handler, RuntimeApiClient.Invocation invocation,
        ILogger logger, TimeProvider time, Stream metricsOutput, bool coldStart)
    {
        var deadline = DateTimeOffset.FromUnixTimeMilliseconds(invocation.DeadlineMs);
        var untilCancel = deadline - time.GetUtcNow() - DeadlineMargin;
        using var cancellation = new CancellationTokenSource(untilCancel > TimeSpan.Zero ? untilCancel : TimeSpan.Zero, time);
        Environment.SetEnvironmentVariable(TraceIdVariable, invocation.TraceId);
        var context = new LambdaContext(
            invocation.RequestId, deadline, invocation.FunctionArn, invocation.TraceId,
            invocation.ClientContext, invocation.CognitoIdentity, cancellation.Token, time);
        LambdaContext.Current = context;
        try
        {
            byte[] response;
            try
            {
                response = await handler(invocation.Payload, context);
            }
            catch (Exception exception)
            {
                logger.LogError(exception, "Invocation failed: {ErrorType}: {ErrorMessage}", exception.GetType().Name, exception.Message);
                await ReportErrorAsync(client, invocation.RequestId, exception, logger);
                return;
            }
            try
            {
                await client.SendResponseAsync(invocation.RequestId, response, CancellationToken.None);
            }
            catch (HttpRequestException exception)
            {
                // The Runtime API refuses a response it cannot take (over 6 MB answers 413): report that instead.
                logger.LogError(exception, "The Runtime API refused the response ({Bytes} bytes)", response.Length);
                await ReportErrorAsync(client, invocation.RequestId, exception, logger);
            }
        }
        finally
        {
            LambdaContext.Current = null;
            FlushMetrics(context, metricsOutput, time, coldStart, logger);
        }
    }

    /// <summary>
    /// Writes the invocation's metrics, and on a cold start Powertools' <c>ColdStart</c> line of its own (dimensions
    /// <c>function_name</c> and <c>Service</c>, so the handlers' metrics keep their one dimension). Output that cannot be
    /// written is logged: it must not end the loop after an invocation already answered.
    /// </summary>
    private static void FlushMetrics(LambdaContext context, Stream output, TimeProvider time, bool coldStart, ILogger logger)
    {
        try
        {
            if (coldStart)
            {
                List<KeyValuePair<string, string>> dimensions = [new(LambdaContext.ServiceDimension, LambdaContext.ServiceName)];
                if (LambdaContext.FunctionName is { Length: > 0 } functionName) dimensions.Insert(0, new("function_name", functionName));
                var coldStartMetrics = new InvocationMetrics(LambdaContext.MetricsNamespace, dimensions,
                    LambdaContext.MetricProperties(context.AwsRequestId, context.TraceId));
                coldStartMetrics.Add(MetricNames.ColdStart, 1);
                coldStartMetrics.Flush(output, time.GetUtcNow());
            }
            context.Metrics.Flush(output, time.GetUtcNow());
        }
        catch (IOException exception)
        {
            logger.LogError(exception, "The metrics of invocation {RequestId} could not be written", context.AwsRequestId);
        }
    }

    /// <summary>
    /// Reports an invocation's error. Lambda has already failed an invocation whose response it refused
    /// (413) and answers a report for it with 403: that is logged, and the loop goes on.
    /// </summary>
    private static async Task ReportErrorAsync(RuntimeApiClient client, string requestId, Exception exception, ILogger logger)
    {
        try
        {
            await client.SendErrorAsync(requestId, LambdaError.From(exception), CancellationToken.None);
        }
        catch (HttpRequestException refused)
        {
            logger.LogWarning(refused, "The Runtime API did not take the error report for {RequestId}", requestId);
        }
    }

    private sealed class HandlerNotFoundException(string message) : Exception(message);
}
