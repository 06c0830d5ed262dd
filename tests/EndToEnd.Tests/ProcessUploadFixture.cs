using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Serverless.Kernel.Aws;
using Serverless.Kernel.Runtime;
using Serverless.Local;
using Serverless.Local.Emulators;
using Serverless.Local.Lambda;
using Serverless.Local.S3;
using Serverless.ServiceDefaults;
using Serverless.Uploads;
using Serverless.Uploads.Processing;
using Serverless.Uploads.Scoring;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// ProcessUpload's handler in this process against the real emulators: DynamoDB Local, the S3 emulator behind the local
/// cloud's S3 front, and the model server; plus a stand-in for the Lambda Invoke API that runs each asynchronous
/// invocation (a continuation) through the same handler with its own short deadline.
/// </summary>
public sealed class ProcessUploadFixture : IAsyncLifetime
{
    public const string Bucket = "process-upload-tests";
    public const string EndpointName = "sentiment";

    private readonly string state = Path.Combine(Path.GetTempPath(), "serverless-process-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<IAsyncDisposable> parts = [];
    private WebApplication lambda = null!;
    private readonly ConcurrentBag<Task> continuations = [];

    public ConcurrentQueue<string> Log { get; } = new();
    public AmazonDynamoDBClient Db { get; private set; } = null!;
    public AmazonS3Client S3 { get; private set; } = null!;
    public UploadStore Store { get; private set; } = null!;
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(70) };
    public Table Table { get; } = new("process-upload-tests");
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
        new(Bucket, EndpointName, MaxUploadBytes: 50 * 1024 * 1024, MaxUploadRows: 1_000_000, FunctionName: "ProcessUploadFunction", BatchLimits.Default);

    public async Task InitializeAsync()
    {
        var root = LocalCloudOptions.FindRepoRoot(AppContext.BaseDirectory);
        var installer = new EmulatorInstaller(Path.Combine(root, ".local", "emulators"), Log.Enqueue);
        var dynamoDb = await DynamoDbLocal.StartAsync(installer, output: Log.Enqueue);
        parts.Add(dynamoDb);
        var s3 = await S3Local.StartAsync(installer, Path.Combine(state, "s3"), output: Log.Enqueue);
        parts.Add(s3);
        var front = await S3Front.StartAsync(0, s3.Endpoint, _ => null);
        parts.Add(front);
        var model = await LocalModelServer.StartAsync(installer, EndpointName, output: Log.Enqueue);
        parts.Add(model);
        ModelEndpoint = model.Endpoint;

        Db = LocalClients.DynamoDb(dynamoDb.Endpoint);
        S3 = LocalClients.S3(front.Endpoint);
        Store = new UploadStore(Db, Table, TimeProvider.System);
        await Db.CreateTableAsync(new CreateTableRequest
        {
            TableName = Table.Name,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new(Table.PartitionKey, ScalarAttributeType.S), new(Table.SortKey, ScalarAttributeType.S)],
            KeySchema = [new(Table.PartitionKey, KeyType.HASH), new(Table.SortKey, KeyType.RANGE)],
        });
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
        using var loggers = LoggerFactory.Create(builder => builder.AddProvider(new QueueLoggerProvider(Log)));
        var processor = new UploadProcessor(Store, S3,
            new BatchScorer(new SageMakerRuntimeClient(Http, endpoint: new Uri(ModelEndpoint), region: "us-east-1", credentials: new BasicAWSCredentials("local", "local")), Settings.EndpointName),
            new LambdaClient(Http, region: "us-east-1", endpoint: new Uri(lambda.Urls.First()), credentials: new BasicAWSCredentials("local", "local")),
            new Quota(Db, Table, Plan, TimeProvider.System),
            Settings, TimeProvider.System, loggers.CreateLogger<UploadProcessor>());
        await ProcessUpload.HandleAsync(payload, processor, Settings, loggers.CreateLogger("ProcessUpload"), context);
    }

    /// <summary>
    /// Runs FailStrandedUpload's handler once with the invocation record Lambda sends to ProcessUpload's on-failure destination
    /// when its invocation <paramref name="requestId"/> of <paramref name="payload"/> gave up: after three attempts that
    /// died (<c>RetriesExhausted</c>) or, with <paramref name="condition"/> <c>EventAgeExceeded</c>, after one.
    /// </summary>
    public async Task GiveUpAsync(byte[] payload, string requestId, string condition = "RetriesExhausted")
    {
        var processUpload = new FunctionDefinition("ProcessUploadFunction", "ProcessUpload", "", TimeSpan.FromMinutes(15), 1024, 1, new Dictionary<string, string>());
        var died = new InvocationResult(Encoding.UTF8.GetBytes($$"""{"errorMessage":"RequestId: {{requestId}} Error: Runtime exited with error: signal: killed","errorType":"Runtime.ExitError"}"""),
            "Unhandled", TimeSpan.Zero, null);
        var record = new InvocationRecord(processUpload, requestId, condition, condition == "RetriesExhausted" ? 3 : 1, payload, died).ToPayload(DateTimeOffset.UtcNow);
        using var cancellation = new CancellationTokenSource(InvocationBudget - LambdaBootstrap.DeadlineMargin);
        using var loggers = LoggerFactory.Create(builder => builder.AddProvider(new QueueLoggerProvider(Log)));
        await FailStrandedUpload.HandleAsync(record, Store, S3, Bucket, loggers.CreateLogger("FailStrandedUpload"),
            Context(Guid.NewGuid().ToString(), "FailStrandedUploadFunction", cancellation.Token));
    }

    private LambdaContext Context(string requestId, string functionName, CancellationToken cancellationToken) =>
        new(requestId, DateTimeOffset.UtcNow + InvocationBudget, $"arn:aws:lambda:us-east-1:000000000000:function:{functionName}",
            null, null, null, cancellationToken, TimeProvider.System);

    /// <summary>
    /// Back to the defaults before a test: settings, a long invocation, continuations run, no model faults. Continuations an
    /// earlier test left running end first: they read the settings and the model's faults when they run, so they must not
    /// meet this test's (nor this test count them).
    /// </summary>
    public async Task ResetAsync()
    {
        await Task.WhenAll(continuations).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        continuations.Clear();
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

    /// <summary>A number attribute of an item (or of a map in it).</summary>
    public static long Number(Dictionary<string, AttributeValue> item, string name) => long.Parse(item[name].N, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A user's PENDING_UPLOAD item, as POST /uploads writes it; returns its object key.</summary>
    public async Task<(string UserSub, string UploadId, string Key)> NewUploadAsync(string format, string fileName = "file.csv")
    {
        var userSub = Guid.NewGuid().ToString();
        var uploadId = Guid.CreateVersion7().ToString("N");
        var key = UploadItem.ObjectKey(userSub, uploadId, fileName);
        await Db.PutItemAsync(new PutItemRequest
        {
            TableName = Table.Name,
            Item = new Dictionary<string, AttributeValue>(UploadItem.Key(userSub, uploadId))
            {
                [UploadAttribute.Type] = new() { S = UploadItem.Type },
                [UploadAttribute.UploadId] = new() { S = uploadId },
                [UploadAttribute.FileName] = new() { S = fileName },
                [UploadAttribute.Format] = new() { S = format },
                [UploadAttribute.ObjectKey] = new() { S = key },
                [UploadAttribute.Status] = new() { S = UploadStatus.PendingUpload },
                [UploadAttribute.ExpiresAt] = new() { N = DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds().ToString() },
            },
        });
        return (userSub, uploadId, key);
    }

    /// <summary>The user's usage item for this month, as MeterUsage leaves it after <paramref name="rowsScored"/> rows were scored.</summary>
    public Task UseTextsAsync(string userSub, long rowsScored) =>
        Db.PutItemAsync(new PutItemRequest
        {
            TableName = Table.Name,
            Item = new Dictionary<string, AttributeValue>(UsageItem.Key(userSub, UsageItem.Month(DateTimeOffset.UtcNow)))
            {
                [UsageItem.RowsScored] = new() { N = rowsScored.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            },
        });

    /// <summary>Puts the file and runs the handler with the S3 event of that PUT; returns the event.</summary>
    public async Task<byte[]> UploadAsync(string key, byte[] file)
    {
        var s3Event = await PutAsync(key, file);
        await InvokeAsync(s3Event);
        return s3Event;
    }

    /// <summary>Puts the file; returns the S3 event of that PUT, not yet delivered.</summary>
    public async Task<byte[]> PutAsync(string key, byte[] file)
    {
        await S3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, InputStream = new MemoryStream(file) });
        return S3EventOf(key, file.Length);
    }

    public Task<byte[]> UploadAsync(string key, string file) => UploadAsync(key, Encoding.UTF8.GetBytes(file));

    /// <summary>The S3 event of one PUT, as S3 sends it (the key form-encoded).</summary>
    public static byte[] S3EventOf(string key, long size, string bucket = Bucket, string eventName = "ObjectCreated:Put") =>
        Encoding.UTF8.GetBytes(new JsonObject
        {
            ["Records"] = new JsonArray(new JsonObject
            {
                ["eventVersion"] = "2.1", ["eventSource"] = "aws:s3", ["awsRegion"] = "us-east-1", ["eventTime"] = DateTime.UtcNow.ToString("O"),
                ["eventName"] = eventName, ["userIdentity"] = new JsonObject { ["principalId"] = "AWS:LOCAL" },
                ["requestParameters"] = new JsonObject { ["sourceIPAddress"] = "127.0.0.1" },
                ["responseElements"] = new JsonObject { ["x-amz-request-id"] = "REQ", ["x-amz-id-2"] = "ID2" },
                ["s3"] = new JsonObject
                {
                    ["s3SchemaVersion"] = "1.0", ["configurationId"] = "FileUploaded",
                    ["bucket"] = new JsonObject { ["name"] = bucket, ["ownerIdentity"] = new JsonObject { ["principalId"] = "LOCAL" }, ["arn"] = $"arn:aws:s3:::{bucket}" },
                    ["object"] = new JsonObject { ["key"] = WebUtility.UrlEncode(key), ["size"] = size, ["eTag"] = "0123", ["sequencer"] = "0A1B" },
                },
            }),
        }.ToJsonString());

    /// <summary>
    /// The upload item once no continuation runs any more: each one that hands on takes its successor before it ends, so the
    /// upload has ended (or waits on a held continuation) when all have ended, however many a slow machine needed. A
    /// continuation that threw is rethrown here.
    /// </summary>
    public async Task<Dictionary<string, AttributeValue>> ItemAsync(string userSub, string uploadId)
    {
        Task[] ended;
        do
        {
            ended = continuations.ToArray();
            await Task.WhenAll(ended).WaitAsync(TimeSpan.FromMinutes(10));
        }
        while (continuations.Count > ended.Length);
        return (await Db.GetItemAsync(new GetItemRequest { TableName = Table.Name, Key = UploadItem.Key(userSub, uploadId), ConsistentRead = true })).Item;
    }

    /// <summary>The keys of the objects whose names start with the result's key: the result, and any carried part left behind.</summary>
    public async Task<List<string>> ResultObjectsAsync(string userSub, string uploadId)
    {
        var listed = await S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = UploadItem.ResultKey(userSub, uploadId) });
        return (listed.S3Objects ?? []).Select(entry => entry.Key).ToList();
    }

    /// <summary>The result file's lines.</summary>
    public async Task<string[]> ResultLinesAsync(string userSub, string uploadId)
    {
        using var response = await S3.GetObjectAsync(Bucket, UploadItem.ResultKey(userSub, uploadId));
        using var reader = new StreamReader(response.ResponseStream);
        return (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
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
        Db.Dispose();
        S3.Dispose();
        Http.Dispose();
        Directory.Delete(state, recursive: true);
    }

    private sealed class QueueLoggerProvider(ConcurrentQueue<string> log) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new QueueLogger(log);
        public void Dispose() { }
    }

    private sealed class QueueLogger(ConcurrentQueue<string> log) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            log.Enqueue($"{logLevel}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
    }
}

[CollectionDefinition(Name)]
public sealed class ProcessUploadCollection : ICollectionFixture<ProcessUploadFixture>
{
    public const string Name = "process upload";
}
