using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Serverless.Kernel.Aws;
using Serverless.Local.Http;
using Serverless.Local.Telemetry;

namespace Serverless.Local.Lambda;

/// <summary>
/// The local Lambda service on one port: the Runtime API each function instance polls (under
/// <c>/instances/{id}/2018-06-01/runtime/...</c>) and the Lambda Invoke API
/// (<c>POST /2015-03-31/functions/{name}/invocations</c>) that the gateway, the Cognito emulator and
/// the AWS CLI call.
/// </summary>
public sealed class LambdaService : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (FunctionPool Pool, AsyncInvocationQueue Queue)> functions =
        new(StringComparer.Ordinal);
    private readonly AsyncInvocationSettings asynchronous;
    private readonly Action<string> log;

    private LambdaService(WebApplication app, AsyncInvocationSettings asynchronous, Action<string> log)
    {
        this.app = app;
        this.asynchronous = asynchronous;
        this.log = log;
    }

    public string Endpoint { get; private set; } = "";

    /// <summary>Each invocation that ran, with its outcome, from whichever API or event source it came.</summary>
    public event Action<FunctionDefinition, Invocation, InvocationResult>? Invoked;

    public static async Task<LambdaService> StartAsync(int port, AsyncInvocationSettings asynchronous, Action<string> log)
    {
        var service = new LambdaService(LocalHttp.Create(port, inline: true), asynchronous, log);
        service.app.Use(RefuseBrowsers);
        service.MapRuntimeApi();
        service.MapInvokeApi();
        await service.app.StartAsync();
        service.Endpoint = service.app.Urls.First();
        return service;
    }

    /// <summary>Makes a function invocable; its instances start on demand.</summary>
    public void Register(FunctionDefinition function)
    {
        var pool = new FunctionPool(function, definition => new FunctionInstance(definition, Endpoint["http://".Length..], log),
            (definition, invocation, result) => Invoked?.Invoke(definition, invocation, result));
        functions[function.Name] = (pool, new AsyncInvocationQueue(pool, asynchronous, log, InvokeDestination));
    }

    /// <summary>
    /// Moves every function that runs from <paramref name="packageDirectory"/> to the build in <paramref name="rebuilt"/>
    /// (<see cref="FunctionPool.Replace"/>); returns their names.
    /// </summary>
    public IReadOnlyList<string> Redeploy(string packageDirectory, string rebuilt)
    {
        var moved = new List<string>();
        foreach (var (pool, _) in functions.Values.Where(function => function.Pool.Function.PackageDirectory == packageDirectory))
        {
            pool.Replace(pool.Function.InPackage(rebuilt));
            moved.Add(pool.Function.Name);
        }
        return moved;
    }

    public IReadOnlyCollection<FunctionDefinition> Functions => functions.Values.Select(function => function.Pool.Function).ToList();

    /// <summary>Invokes a function by name, as a synchronous (RequestResponse) invocation; <paramref name="traceHeader"/> is
    /// the caller's <c>X-Amzn-Trace-Id</c>, if any (<see cref="XRayTraceHeader"/>).</summary>
    public Task<InvocationResult> InvokeAsync(string functionName, byte[] payload, CancellationToken cancellationToken,
        string? traceHeader = null) =>
        Find(functionName).Pool.InvokeAsync(payload, Guid.NewGuid().ToString(), cancellationToken, XRayTraceHeader.Parse(traceHeader));

    /// <summary>Queues an asynchronous (Event) invocation, as S3 notifications and <c>X-Amz-Invocation-Type: Event</c>
    /// do; returns its request id.</summary>
    public string InvokeAsynchronously(string functionName, byte[] payload)
    {
        var requestId = Guid.NewGuid().ToString();
        Find(functionName).Queue.Enqueue(payload, requestId);
        return requestId;
    }

    /// <summary>An asynchronous invocation of the function (or alias) an on-failure destination's ARN names; null when it
    /// names none of these.</summary>
    private string? InvokeDestination(string arn, byte[] payload) =>
        arn.StartsWith("arn:aws:lambda:", StringComparison.Ordinal) && Target(arn, null) is not null
            ? InvokeAsynchronously(FunctionName(arn).Name, payload)
            : null;

    /// <summary>
    /// The function Invoke's <c>FunctionName</c> designates: a name, a full ARN or a partial ARN
    /// (<c>account:function:name</c>), each with an optional qualifier, or the <c>Qualifier</c> parameter. The qualifier is
    /// <c>$LATEST</c> or the function's alias (<see cref="FunctionDefinition.Alias"/>); null for an unknown function or
    /// qualifier, which Lambda answers with ResourceNotFoundException.
    /// </summary>
    private (FunctionPool Pool, AsyncInvocationQueue Queue)? Target(string function, string? qualifier)
    {
        var (name, named) = FunctionName(function);
        qualifier = named ?? qualifier;
        return functions.TryGetValue(name, out var target)
            && (qualifier is null or "$LATEST" || qualifier == target.Pool.Function.Alias) ? target : null;
    }

    private (FunctionPool Pool, AsyncInvocationQueue Queue) Find(string functionName) =>
        functions.TryGetValue(functionName, out var function) ? function
            : throw new KeyNotFoundException($"Function not found: {functionName}");

    /// <summary>The instance a Runtime API request comes from (each call of each invocation asks), found without taking a snapshot
    /// of the functions as <c>Values</c> would, under all of the dictionary's locks.</summary>
    private FunctionInstance? Instance(string id)
    {
        foreach (var (_, function) in functions)
            if (function.Pool.Find(id) is { } instance) return instance;
        return null;
    }

    private void MapRuntimeApi()
    {
        var runtime = app.MapGroup("/instances/{instance}/2018-06-01/runtime");
        runtime.MapGet("/invocation/next", async (string instance, HttpContext http) =>
        {
            if (Instance(instance) is not { } found) return Results.NotFound();
            var (invocation, deadline) = await found.NextAsync(http.RequestAborted);
            var headers = http.Response.Headers;
            headers["Lambda-Runtime-Aws-Request-Id"] = invocation.RequestId;
            headers["Lambda-Runtime-Deadline-Ms"] =
                deadline.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            headers["Lambda-Runtime-Invoked-Function-Arn"] = found.Function.Arn;
            headers["Lambda-Runtime-Trace-Id"] = invocation.TraceId;
            return Results.Bytes(invocation.Payload, "application/json");
        });
        runtime.MapPost("/invocation/{requestId}/response", async (string instance, string requestId, HttpRequest request) =>
            Instance(instance)?.Respond(requestId, await request.ReadBodyAsync()) == true
                ? Results.Accepted() : RuntimeError("InvalidRequestID", $"Unknown request id {requestId}."));
        runtime.MapPost("/invocation/{requestId}/error", async (string instance, string requestId, HttpRequest request) =>
            Instance(instance)?.RespondWithError(requestId, await request.ReadBodyAsync()) == true
                ? Results.Accepted() : RuntimeError("InvalidRequestID", $"Unknown request id {requestId}."));
        runtime.MapPost("/init/error", async (string instance, HttpRequest request) =>
        {
            if (Instance(instance) is not { } found) return Results.NotFound();
            found.InitFailed(await request.ReadBodyAsync());
            return Results.Accepted();
        });
    }

    private void MapInvokeApi()
    {
        app.MapPost("/2015-03-31/functions/{function}/invocations", async (string function, HttpRequest request, HttpResponse response) =>
        {
            var (name, named) = FunctionName(function);
            var qualifier = request.Query["Qualifier"].FirstOrDefault();
            if (named is not null && qualifier is not null && named != qualifier)
                return InvokeError(400, "InvalidParameterValueException",
                    "The derived qualifier from the function name does not match the specified qualifier.");
            if (Target(function, qualifier) is not { } target)
            {
                var qualified = (named ?? qualifier) is { } given ? $"{name}:{given}" : name;
                return InvokeError(404, "ResourceNotFoundException",
                    $"Function not found: arn:aws:lambda:{LocalAccount.Region}:{LocalAccount.AccountId}:function:{qualified}");
            }
            var payload = await request.ReadBodyAsync();
            if (Signer.Verify(request.ToSigV4(), LocalSigV4.PayloadHash(payload)) is { } refusal)
                return InvokeError(403, refusal.Failure switch
                {
                    SigV4Failure.Missing => "MissingAuthenticationTokenException",
                    SigV4Failure.UnknownAccessKey => "UnrecognizedClientException",
                    _ => "InvalidSignatureException",
                }, refusal.Message);
            if (payload.Length == 0) payload = "{}"u8.ToArray();
            try
            {
                using var _ = JsonDocument.Parse(payload);
            }
            catch (JsonException invalid)
            {
                return InvokeError(400, "InvalidRequestContentException", $"Could not parse request body into json: {invalid.Message}");
            }

            var requestId = Guid.NewGuid().ToString();
            response.Headers["x-amzn-RequestId"] = requestId;
            switch (request.Headers["X-Amz-Invocation-Type"].ToString())
            {
                case "DryRun":
                    return Results.StatusCode(204);
                case "Event":
                    target.Queue.Enqueue(payload, requestId, XRayTraceHeader.Parse(request.Headers["X-Amzn-Trace-Id"]));
                    return Results.StatusCode(202);
            }
            var result = await target.Pool.InvokeAsync(payload, requestId, CancellationToken.None,
                XRayTraceHeader.Parse(request.Headers["X-Amzn-Trace-Id"]));
            response.Headers["X-Amz-Executed-Version"] = "$LATEST";
            if (result.FunctionError is { } error) response.Headers["X-Amz-Function-Error"] = error;
            if (request.Headers["X-Amz-Log-Type"] == "Tail" && await LogTail.Base64Async(target.Pool.Function, result) is { } tail)
                response.Headers["X-Amz-Log-Result"] = tail;
            return Results.Bytes(result.Payload, "application/json");
        });
    }

    /// <summary>
    /// Neither API is a browser's to call: a request that carries an <c>Origin</c> (which a browser puts on every
    /// cross-site POST and cannot leave out) is refused before any route runs; the Runtime clients never send one.
    /// </summary>
    private static Task RefuseBrowsers(HttpContext context, RequestDelegate next) =>
        context.Request.Headers.Origin.Count == 0
            ? next(context)
            : InvokeError(403, "AccessDeniedException", "The local Lambda service does not answer requests from web pages.")
                .ExecuteAsync(context);

    /// <summary>The Invoke API checks SigV4 as Lambda does, with the credentials the local cloud hands out.</summary>
    private static readonly SigV4Verifier Signer = LocalSigV4.Verifier("lambda");

    /// <summary>The name and qualifier (null when none) of a name, a full ARN, or a partial ARN.</summary>
    private static (string Name, string? Qualifier) FunctionName(string function)
    {
        var parts = Uri.UnescapeDataString(function).Split(':');
        // arn:aws:lambda:region:account:function:name[:qualifier], account:function:name[:qualifier], name[:qualifier]
        return parts.Length switch
        {
            >= 7 => (parts[6], parts.ElementAtOrDefault(7)),
            3 or 4 when parts[1] == "function" => (parts[2], parts.ElementAtOrDefault(3)),
            _ => (parts[0], parts.ElementAtOrDefault(1)),
        };
    }

    private static IResult InvokeError(int status, string type, string message) =>
        new ErrorResult(status, type, JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["Type"] = "User",
            ["message"] = message }));

    private static IResult RuntimeError(string type, string message) =>
        new ErrorResult(400, type, JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["errorType"] = type,
            ["errorMessage"] = message }));

    private sealed class ErrorResult(int status, string type, byte[] body) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.StatusCode = status;
            context.Response.Headers["x-amzn-ErrorType"] = type;
            context.Response.ContentType = "application/json";
            return context.Response.Body.WriteAsync(body).AsTask();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // All at once, as the local cloud stops its parts (see LocalCloud.DisposeAsync).
        await Task.WhenAll(functions.Values.SelectMany(function => new[] { function.Queue.DisposeAsync().AsTask(),
            function.Pool.DisposeAsync().AsTask() }));
        await app.DisposeAsync();
    }
}
