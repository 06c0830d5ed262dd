using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Serverless.ModelServer.Vader;

namespace Serverless.ModelServer;

/// <summary>
/// SageMaker Runtime's <c>InvokeEndpoint</c> (<c>POST /endpoints/{EndpointName}/invocations</c>) in front of the
/// VADER model, which speaks the Hugging Face inference toolkit's text-classification contract.
/// <para>What SageMaker Runtime itself answers (restJson1: <c>x-amzn-ErrorType</c> header, JSON body):</para>
/// <list type="bullet">
/// <item>a name that breaks the EndpointName constraints (pattern, 63 characters) → 400 ValidationError;</item>
/// <item>an endpoint that does not exist → 400 ValidationError "Endpoint {name} of account {account} not found.";</item>
/// <item>a body over 6 MB (6,291,456 bytes, the BodyBlob maximum) → 413 without an error type;</item>
/// <item>injected faults: ThrottlingException (429, or 400), InternalFailure (500), ServiceUnavailable (503),
/// ModelError (424).</item>
/// </list>
/// <para>
/// Everything else goes to the "container", as SageMaker passes the body through untouched. The Hugging Face toolkit
/// turns every failure there (a content type it cannot decode, bad JSON, missing or wrong "inputs") into a 400 from
/// the container, and SageMaker Runtime reports a container's 4xx/5xx as ModelError (HTTP 424) with the container's
/// status and body as OriginalStatusCode / OriginalMessage. This server does the same; the container's own contract
/// is <see cref="RunContainer"/>.
/// </para>
/// </summary>
internal static partial class InvokeEndpoint
{
    /// <summary>Largest request body InvokeEndpoint takes: 6 MB (the BodyBlob shape's maximum length).</summary>
    public const int MaxBodyBytes = 6 * 1024 * 1024;

    private const string JsonContentType = "application/json";
    private const string CsvContentType = "text/csv";
    private const int MaxMessageLength = 2048; // the Message shape's maximum length

    public static void Map(WebApplication app) =>
        app.MapPost("/endpoints/{endpointName}/invocations", async (
            HttpContext context,
            string endpointName,
            ModelServerOptions options,
            SentimentAnalyzer analyzer,
            FaultInjector faults,
            ILoggerFactory loggers) =>
        {
            try
            {
                await HandleAsync(context, endpointName, options, analyzer, faults, loggers);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The caller went away (e.g. its timeout during a slow fault): nothing to answer.
            }
        });

    [GeneratedRegex("^[a-zA-Z0-9](-*[a-zA-Z0-9])*$", RegexOptions.CultureInvariant)]
    private static partial Regex EndpointNamePattern();

    private static async Task HandleAsync(
        HttpContext context,
        string endpointName,
        ModelServerOptions options,
        SentimentAnalyzer analyzer,
        FaultInjector faults,
        ILoggerFactory loggers)
    {
        var response = context.Response;
        response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        var cancellationToken = context.RequestAborted;

        if (EndpointNameError(endpointName, options) is { } invalid)
        {
            await WriteAwsErrorAsync(response, 400, "ValidationError", invalid, cancellationToken);
            return;
        }

        var body = await ReadBodyAsync(context.Request, MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            await WriteAwsErrorAsync(response, 413, errorType: null,
                $"HTTP content length exceeded {MaxBodyBytes} bytes.", cancellationToken, messageKey: "message");
            return;
        }

        if (faults.TryTake(out var fault)
            && await AnswerFaultAsync(fault, response, endpointName, options, loggers, cancellationToken))
        {
            return;
        }

        var outcome = RunContainer(context.Request, body.Value, analyzer);
        if (outcome.Error is { } error)
        {
            await WriteModelErrorAsync(response, options, endpointName, 400, error, cancellationToken);
            return;
        }
        response.StatusCode = 200;
        response.ContentType = outcome.ContentType;
        response.Headers["x-Amzn-Invoked-Production-Variant"] = options.Variant;
        response.ContentLength = outcome.Body.Length;
        await response.Body.WriteAsync(outcome.Body, cancellationToken);
    }

    /// <summary>Why SageMaker would refuse the endpoint name, in its own words; null when the name is served.</summary>
    private static string? EndpointNameError(string endpointName, ModelServerOptions options)
    {
        const string prefix = "1 validation error detected: Value '{0}' at 'endpointName' failed to satisfy constraint: ";
        if (endpointName.Length > 63)
            return string.Format(CultureInfo.InvariantCulture, prefix, endpointName)
                + "Member must have length less than or equal to 63";
        if (!EndpointNamePattern().IsMatch(endpointName))
            return string.Format(CultureInfo.InvariantCulture, prefix, endpointName)
                + "Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9])*$";
        return options.Serves(endpointName) ? null : $"Endpoint {endpointName} of account {options.AccountId} not found.";
    }

    /// <summary>Plays an injected fault: true when it answered the request, false when the request goes on (slow mode).</summary>
    private static async Task<bool> AnswerFaultAsync(
        FaultState fault, HttpResponse response, string endpointName, ModelServerOptions options, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger("Serverless.ModelServer.Faults");
        logger.LogInformation("Injected fault {Mode} on {Endpoint} ({Remaining} left)",
            FaultInjector.ModeName(fault.Mode), endpointName, fault.Remaining == -1 ? "∞"
                : (fault.Remaining - 1).ToString(CultureInfo.InvariantCulture));
        switch (fault.Mode)
        {
            case FaultMode.Throttle:
                await WriteAwsErrorAsync(response, fault.Status, "ThrottlingException", "Rate exceeded",
                    cancellationToken, messageKey: "message");
                return true;
            case FaultMode.Error5xx when fault.Status == 503:
                await WriteAwsErrorAsync(response, 503, "ServiceUnavailable",
                    "The service is unavailable. Try your call again.", cancellationToken);
                return true;
            case FaultMode.Error5xx:
                await WriteAwsErrorAsync(response, 500, "InternalFailure", "An internal failure occurred.", cancellationToken);
                return true;
            case FaultMode.ModelError:
                await WriteModelErrorAsync(response, options, endpointName, fault.Status,
                    $"Injected model failure (fault mode modelError, status {fault.Status}).", cancellationToken);
                return true;
            case FaultMode.Slow:
                await Task.Delay(fault.DelayMs, cancellationToken);
                return false;
            default:
                return false;
        }
    }

    /// <summary>The body, or null when it is larger than <paramref name="limit"/>.</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }
        using var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 4096);
        var chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return null;
                }
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return new ReadOnlyMemory<byte>(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
