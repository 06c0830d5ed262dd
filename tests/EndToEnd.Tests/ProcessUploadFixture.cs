using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.S3;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Serverless.Kernel.Aws;
using Serverless.Kernel.Runtime;
using Serverless.Local;
using Serverless.Local.Emulators;
using Serverless.Local.Installers;
using Serverless.Local.Lambda;
using Serverless.Local.S3;
using Serverless.Metering;
using Serverless.ServiceDefaults;
using Serverless.Uploads;
using Serverless.Uploads.Processing;
using Serverless.Uploads.Scoring;
using Serverless.TestUtilities;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// ProcessUpload's handler in this process against the real emulators: DynamoDB Local, the S3 emulator behind the local
/// cloud's S3 front, and the model server; plus a stand-in for the Lambda Invoke API that runs each asynchronous
/// invocation (a continuation) through the same handler with its own short deadline. The data a test works on (upload and
/// usage items, files and their S3 events, the item and result processing left) is in ProcessUploadFixture.Data.cs.
/// </summary>
public sealed partial class ProcessUploadFixture : IAsyncLifetime
{
    public const string Bucket = "process-upload-tests";
    public const string EndpointName = "sentiment";

    private readonly string state = Path.Combine(Path.GetTempPath(), "serverless-process-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<IAsyncDisposable> parts = [];
    private WebApplication lambda = null!;
    private DynamoDbTable dynamoDb = null!;
    private readonly ConcurrentBag<Task> continuations = [];

    /// <summary>What every invocation logged, and the emulators' output.</summary>
    public TestLambdaLogger Logger { get; } = new();
    public IReadOnlyCollection<string> Log => Logger.Lines;

    /// <summary>The metric lines of every invocation since the last <see cref="ResetAsync"/>, as the bootstrap writes them.</summary>
    public IEnumerable<System.Text.Json.JsonElement> Metrics => metrics;
    private readonly ConcurrentQueue<System.Text.Json.JsonElement> metrics = new();
    public AmazonDynamoDBClient Db => dynamoDb.Db;
    public AmazonS3Client S3 { get; private set; } = null!;
    public ProcessingStore Store { get; private set; } = null!;
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(70) };
    public Table Table => dynamoDb.Table;
    public string ModelEndpoint { get; private set; } = "";

    /// <summary>How much time each invocation gets (a continuation's too); tests that check the hand-on make it short.</summary>
    public TimeSpan InvocationBudget { get; set; } = TimeSpan.FromMinutes(2);

    public ProcessUploadSettings Settings { get; set; } = Defaults;

    /// <summary>Asynchronous invocations the Invoke API stand-in took (continuations).</summary>
    public int Continuations => continuations.Count;

    /// <summary>While set, the Invoke API stand-in keeps each continuation's payload in <see cref="Held"/> instead of running it.</summary>
    public bool HoldContinuations { get; set; }

    /// <summary>Continuations taken while <see cref="HoldContinuations"/> was set, for a test to run (or drop) itself.</summary>
    public ConcurrentQueue<byte[]> Held { get; } = new();

    /// <summary>Every user's plan here; a test that needs less of it left seeds the user's usage (<see cref="UseTextsAsync"/>).</summary>
    public static Plan Plan { get; } = new("free", 1_000_000);

    public static ProcessUploadSettings Defaults { get; } =
        new(Bucket, EndpointName, MaxUploadBytes: 50 * 1024 * 1024, MaxUploadRows: 1_000_000, FunctionName: "ProcessUploadFunction",
            BatchLimits.Default);

    public async Task InitializeAsync()
    {
        var installer = LocalEmulators.Installer(Logger.LogLine);
        dynamoDb = new DynamoDbTable { Output = Logger.LogLine };
        await dynamoDb.InitializeAsync();
        var s3 = await S3Local.StartAsync(installer, Path.Combine(state, "s3"), output: Logger.LogLine);
        parts.Add(s3);
        var front = await S3Front.StartAsync(0, s3.Endpoint, _ => null);
        parts.Add(front);
        var model = await LocalModelServer.StartAsync(installer, EndpointName, output: Logger.LogLine);
        parts.Add(model);
        ModelEndpoint = model.Endpoint;

        S3 = LocalClients.S3(front.Endpoint);
        Store = new ProcessingStore(Db, Table, TimeProvider.System);
        await S3.PutBucketAsync(Bucket);

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        lambda = builder.Build();
        lambda.MapPost("/2015-03-31/functions/{name}/invocations", async (string name, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            var payload = body.ToArray();
            if (request.Headers["X-Amz-Invocation-Type"] != "Event" || name != Settings.FunctionName) return Results.BadRequest();
            if (HoldContinuations) Held.Enqueue(payload);
            else continuations.Add(Task.Run(() => InvokeAsync(payload)));
            return Results.StatusCode((int)HttpStatusCode.Accepted);
        });
        await lambda.StartAsync();
    }

    /// <summary>
    /// Runs the handler once with <paramref name="payload"/>, as one invocation with <see cref="InvocationBudget"/>; with
    /// <paramref name="requestId"/> as Lambda's retry of that invocation would, else with a new request id.
    /// </summary>
    public async Task InvokeAsync(byte[] payload, string? requestId = null)
    {
        using var cancellation = new CancellationTokenSource(InvocationBudget - LambdaBootstrap.DeadlineMargin);
        var context = Context(requestId ?? Guid.NewGuid().ToString(), "ProcessUploadFunction", cancellation.Token);
        using var loggers = Loggers(context.Logger);
        var processor = new UploadProcessor(Store, S3,
            new BatchScorer(new SageMakerRuntimeClient(Http, endpoint: new Uri(ModelEndpoint), region: "us-east-1",
                credentials: new BasicAWSCredentials("local", "local")), Settings.EndpointName),
            new LambdaClient(Http, region: "us-east-1", endpoint: new Uri(lambda.Urls.First()),
                credentials: new BasicAWSCredentials("local", "local")),
            new UsageLedger(Db, Table, Plan, TimeProvider.System),
            Settings, TimeProvider.System, loggers.CreateLogger<UploadProcessor>());
        LambdaHandler handler = async (@event, invocation) =>
        {
            await ProcessUpload.HandleAsync(@event, processor, Settings, loggers.CreateLogger("ProcessUpload"), invocation);
            return [];
        };
        await InvokeAsync(handler, payload, context);
    }

    /// <summary>Invokes the handler as the bootstrap does, its metrics kept in <see cref="Metrics"/> however it ends.</summary>
    private async Task InvokeAsync(LambdaHandler handler, byte[] payload, TestLambdaContext context)
    {
        try
        {
            await handler.InvokeAsync(payload, context);
        }
        finally
        {
            foreach (var line in context.FlushMetrics()) metrics.Enqueue(line);
        }
    }

    /// <summary>
    /// Runs FailStrandedUpload's handler once with the invocation record Lambda sends to ProcessUpload's on-failure destination
    /// when its invocation <paramref name="requestId"/> of <paramref name="payload"/> gave up: after three attempts that
    /// died (<c>RetriesExhausted</c>) or, with <paramref name="condition"/> <c>EventAgeExceeded</c>, after one.
    /// </summary>
    public async Task GiveUpAsync(byte[] payload, string requestId, string condition = "RetriesExhausted")
    {
        var processUpload = new FunctionDefinition("ProcessUploadFunction", "ProcessUpload", "", TimeSpan.FromMinutes(15), 1024, 1,
            new Dictionary<string, string>());
        var error = $$"""{"errorMessage":"RequestId: {{requestId}} Error: Runtime exited with error: signal: killed",""" +
            "\"errorType\":\"Runtime.ExitError\"}";
        var died = new InvocationResult(Encoding.UTF8.GetBytes(error), "Unhandled", TimeSpan.Zero, null);
        var record = new InvocationRecord(processUpload, requestId, condition, condition == "RetriesExhausted" ? 3 : 1, payload,
            died).ToPayload(DateTimeOffset.UtcNow);
        using var cancellation = new CancellationTokenSource(InvocationBudget - LambdaBootstrap.DeadlineMargin);
        var context = Context(Guid.NewGuid().ToString(), "FailStrandedUploadFunction", cancellation.Token);
        using var loggers = Loggers(context.Logger);
        LambdaHandler handler = async (@event, invocation) =>
        {
            await FailStrandedUpload.HandleAsync(@event, Store, S3, Bucket, loggers.CreateLogger("FailStrandedUpload"), invocation);
            return [];
        };
        await InvokeAsync(handler, record, context);
    }

    /// <summary>
    /// Runs the sweeper once, as its schedule would, ending uploads with no heartbeat for <paramref name="strandedAfter"/>.
    /// </summary>
    public async Task<int> SweepAsync(TimeSpan strandedAfter)
    {
        using var loggers = Loggers(Logger);
        return await SweepStrandedUploads.SweepAsync(Store, S3, Bucket, strandedAfter, TimeProvider.System,
            loggers.CreateLogger("SweepStrandedUploads"), CancellationToken.None);
    }

    private TestLambdaContext Context(string requestId, string functionName, CancellationToken cancellationToken) => new()
    {
        AwsRequestId = requestId, FunctionName = functionName, RemainingTime = InvocationBudget, CancellationToken = cancellationToken,
            Logger = Logger,
    };

    /// <summary>The loggers a handler is made with, writing to <paramref name="logger"/>.</summary>
    private static ILoggerFactory Loggers(TestLambdaLogger logger) => LoggerFactory.Create(builder => builder.AddProvider(logger));

    /// <summary>
    /// Back to the defaults before a test: settings, a long invocation, continuations run, no model faults. Continuations an
    /// earlier test left running end first: they read the settings and the model's faults when they run, so they must not
    /// meet this test's (nor this test count them).
    /// </summary>
    public async Task ResetAsync()
    {
        await Task.WhenAll(continuations).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None,
            TaskScheduler.Default);
        continuations.Clear();
        metrics.Clear();
        Settings = Defaults;
        InvocationBudget = TimeSpan.FromMinutes(2);
        HoldContinuations = false;
        Held.Clear();
        await FaultAsync("""{"mode":"none"}""");
    }

    /// <summary>
    /// Invocations too short for a long file: one batch of 16 texts at a time, 10 s each of which 1.5 s are for scoring and
    /// the rest kept to hand on. Each model call takes at least 2 ms, so an invocation scores at most 12,000 rows however fast
    /// the machine is; a slow one scores fewer, and its 8.5 s margin leaves it time to hand on however loaded the machine is.
    /// </summary>
    public async Task UseShortInvocationsAsync()
    {
        Settings = Defaults with { MaxInFlight = 1, Limits = new BatchLimits(MaxTexts: 16), SafetyFraction = 0.85 };
        InvocationBudget = TimeSpan.FromSeconds(10);
        await FaultAsync("""{"mode":"slow","count":-1,"delayMs":2}""");
    }

    public async Task FaultAsync(string json)
    {
        using var response = await Http.PostAsync($"{ModelEndpoint}/_faults", new StringContent(json, Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        await Task.WhenAll(continuations);
        await lambda.DisposeAsync();
        for (var i = parts.Count - 1; i >= 0; i--) await parts[i].DisposeAsync();
        await dynamoDb.DisposeAsync();
        S3.Dispose();
        Http.Dispose();
        Directory.Delete(state, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class ProcessUploadCollection : ICollectionFixture<ProcessUploadFixture>
{
    public const string Name = "process upload";
}
