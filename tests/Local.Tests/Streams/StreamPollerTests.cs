using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Local.Lambda;
using Serverless.Local.Tests.Lambda;
using Serverless.Local.Streams;

namespace Serverless.Local.Tests.Streams;

/// <summary>
/// The local event source mapping against DynamoDB Local's real stream, delivering to shell-script functions:
/// order, record shape, filtering, partial batch responses, bisection, retries and the on-failure destination.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class StreamPollerTests(DynamoDbLocalFixture dynamo) : IClassFixture<DynamoDbLocalFixture>, IAsyncLifetime
{
    private readonly List<IAsyncDisposable> running = [];
    private readonly List<string> log = [];
    private ShellFunctions functions = null!;

    private string Failures => Path.Combine(functions.PackageDirectory("stream-mappings"), "failures");

    public async Task InitializeAsync() => functions = await ShellFunctions.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var part in running) await part.DisposeAsync();
        await functions.DisposeAsync();
    }

    private void Log(string line)
    {
        lock (log) log.Add(line);
    }

    [Fact]
    public async Task Records_of_each_key_arrive_once_in_write_order_in_AWS_form_and_the_filter_drops_the_rest()
    {
        var (table, streamArn) = await dynamo.CreateTableAsync();
        var function = new StreamFunction(functions, "ordered");
        for (var i = 0; i < 30; i++)
        {
            await dynamo.PutAsync(table, $"key-{i % 3}", "item", $"{i}");
            if (i % 5 == 0) await dynamo.PutAsync(table, "other", $"{i}", "skipped", type: "OTHER");
        }
        Start(Source("ordered", streamArn, batchSize: 4,
            filter: """{"eventName":["INSERT","MODIFY"],"dynamodb":{"NewImage":{"type":{"S":["ITEM"]}}}}"""));

        var invocations = await function.WaitForAsync(calls => calls.Sum(call => call.Records.Count) >= 30);

        Assert.All(invocations, call => Assert.Equal("ok", call.Outcome));
        Assert.All(invocations, call => Assert.InRange(call.Records.Count, 1, 4));
        var records = invocations.SelectMany(call => call.Records).ToList();
        Assert.Equal(30, records.Count);
        for (var key = 0; key < 3; key++)
        {
            var values = records.Where(record => Key(record) == $"key-{key}").Select(record =>
                int.Parse(StreamFunction.Value(record))).ToList();
            Assert.Equal(Enumerable.Range(0, 30).Where(i => i % 3 == key), values);
        }
        var first = records[0];
        Assert.Equal("INSERT", first.GetProperty("eventName").GetString());
        Assert.Equal("MODIFY", records[3].GetProperty("eventName").GetString());
        Assert.Equal("1.1", first.GetProperty("eventVersion").GetString());
        Assert.Equal("aws:dynamodb", first.GetProperty("eventSource").GetString());
        Assert.Equal(LocalAccount.Region, first.GetProperty("awsRegion").GetString());
        Assert.Equal(streamArn, first.GetProperty("eventSourceARN").GetString());
        Assert.Matches(@"/stream/\d{4}-\d\d-\d\dT", streamArn);
        var change = first.GetProperty("dynamodb");
        Assert.Equal(JsonValueKind.Number, change.GetProperty("ApproximateCreationDateTime").ValueKind);
        Assert.True(change.GetProperty("ApproximateCreationDateTime").TryGetInt64(out var created));
        Assert.InRange(DateTimeOffset.FromUnixTimeSeconds(created), DateTimeOffset.UtcNow.AddMinutes(-5),
            DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal("key-0", change.GetProperty("Keys").GetProperty("PK").GetProperty("S").GetString());
        Assert.True(change.GetProperty("SizeBytes").GetInt64() > 0);
        Assert.Equal("NEW_AND_OLD_IMAGES", change.GetProperty("StreamViewType").GetString());
        Assert.False(change.TryGetProperty("OldImage", out _));
        Assert.Equal("0", records[3].GetProperty("dynamodb").GetProperty("OldImage").GetProperty("v").GetProperty("S").GetString());
    }

    [Fact]
    public async Task A_reported_batch_item_failure_is_retried_from_that_record_only()
    {
        var (table, streamArn) = await dynamo.CreateTableAsync();
        var function = new StreamFunction(functions, "partial");
        foreach (var value in new[] { "a", "b", "flaky", "c", "d" }) await dynamo.PutAsync(table, "k", value, value);
        Start(Source("partial", streamArn, batchSize: 10, reportBatchItemFailures: true));

        var invocations = await function.WaitForAsync(calls => calls.Count >= 2);

        Assert.Equal(2, invocations.Count);
        Assert.Equal("partial", invocations[0].Outcome);
        Assert.Equal(["a", "b", "flaky", "c", "d"], invocations[0].Records.Select(StreamFunction.Value));
        Assert.Equal("ok", invocations[1].Outcome);
        Assert.Equal(["flaky", "c", "d"], invocations[1].Records.Select(StreamFunction.Value));
    }

    [Fact]
    public async Task Bisection_narrows_a_failing_batch_to_the_poison_record_which_is_retried_then_sent_to_the_destination()
    {
        var (table, streamArn) = await dynamo.CreateTableAsync();
        var function = new StreamFunction(functions, "bisect");
        var values = new[] { "r0", "r1", "r2", "r3", "r4", "poison", "r6", "r7" };
        foreach (var value in values) await dynamo.PutAsync(table, "k", value, value);
        Start(Source("bisect", streamArn, batchSize: 8, bisect: true, maximumRetryAttempts: 2,
            destination: "arn:aws:sqs:us-east-1:000000000000:failures"));

        var failureFile = await WaitForFailureAsync("bisect");
        var invocations = await function.WaitForAsync(calls =>
            calls.Where(call => call.Outcome == "ok").Sum(call => call.Records.Count) >= 7);

        var delivered = invocations.Where(call => call.Outcome == "ok").SelectMany(call =>
            call.Records).Select(StreamFunction.Value).ToList();
        Assert.Equal(values.Where(value => value != "poison"), delivered);
        var errors = invocations.Where(call => call.Outcome == "error").Select(call =>
            call.Records.Select(StreamFunction.Value).ToList()).ToList();
        Assert.Equal(values, errors[0]);
        Assert.Equal(["r4", "poison", "r6", "r7"], errors[1]);
        Assert.Equal(["r4", "poison"], errors[2]);
        Assert.Equal([["poison"], ["poison"], ["poison"]], errors.Skip(3));

        var record = JsonNode.Parse(File.ReadAllText(failureFile))!;
        var poison = invocations.First(call => call.Records.Count == 1 && StreamFunction.Value(call.Records[0]) == "poison").Records[0];
        Assert.Equal("RetryAttemptsExhausted", record["requestContext"]!["condition"]!.GetValue<string>());
        Assert.Equal(3, record["requestContext"]!["approximateInvokeCount"]!.GetValue<int>());
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:bisect", record["requestContext"]!["functionArn"]!.GetValue<string>());
        Assert.Equal("Unhandled", record["responseContext"]!["functionError"]!.GetValue<string>());
        Assert.Equal("1.0", record["version"]!.GetValue<string>());
        var info = record["DDBStreamBatchInfo"]!;
        Assert.Equal(StreamFunction.SequenceNumber(poison), info["startSequenceNumber"]!.GetValue<string>());
        Assert.Equal(StreamFunction.SequenceNumber(poison), info["endSequenceNumber"]!.GetValue<string>());
        Assert.Equal(1, info["batchSize"]!.GetValue<int>());
        Assert.Equal(streamArn, info["streamArn"]!.GetValue<string>());
        Assert.StartsWith("shardId-", info["shardId"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", info["approximateArrivalOfFirstRecord"]!.GetValue<string>());
        // The record is logged once its file is written, not before.
        await functions.EventuallyAsync(() => { lock (log) return log.Any(line => line.Contains("RetryAttemptsExhausted")
            && line.Contains(failureFile)); },
            "the on-failure record's log line");
    }

    [Fact]
    public async Task Without_bisection_a_poison_batch_is_retried_whole_then_dropped_and_the_records_after_it_still_arrive()
    {
        var (table, streamArn) = await dynamo.CreateTableAsync();
        var function = new StreamFunction(functions, "whole");
        foreach (var value in new[] { "a", "poison", "b" }) await dynamo.PutAsync(table, "k", value, value);
        Start(Source("whole", streamArn, batchSize: 3, maximumRetryAttempts: 1,
            destination: "arn:aws:sqs:us-east-1:000000000000:failures"));
        await WaitForFailureAsync("whole");
        await dynamo.PutAsync(table, "k", "after", "after");

        var invocations = await function.WaitForAsync(calls => calls.Any(call => call.Outcome == "ok"));

        Assert.Equal(["error", "error", "ok"], invocations.Select(call => call.Outcome));
        Assert.Equal(["a", "poison", "b"], invocations[1].Records.Select(StreamFunction.Value));
        Assert.Equal(["after"], invocations[2].Records.Select(StreamFunction.Value));
    }

    [Fact]
    public async Task A_throttled_batch_is_retried_without_using_up_a_retry_and_arrives_once_there_is_room()
    {
        // One unit of account concurrency, held by another function: the mapping's first invocations are throttled.
        await using var account = await ShellFunctions.StartAsync(scaling: new ScalingSettings(1, ScalingSettings.DefaultIdleTimeout));
        account.Register("holder", ShellFunctions.Held);
        var holding = account.InvokeAsync("holder", "{}");
        await account.EventuallyAsync(() => File.Exists(Path.Combine(account.PackageDirectory("holder"), "started")), "the holder running");
        var (table, streamArn) = await dynamo.CreateTableAsync();
        var function = new StreamFunction(account, "throttled");
        foreach (var value in new[] { "a", "b" }) await dynamo.PutAsync(table, "k", value, value);
        // No retry at all: a throttle counted as one would send the batch to the destination.
        var api = new DynamoDbStreamsApi(new HttpClient(), dynamo.DynamoDb.Endpoint);
        running.Add(StreamPoller.Start(Source("throttled", streamArn, batchSize: 10, maximumRetryAttempts: 0,
            destination: "arn:aws:sqs:us-east-1:000000000000:failures"), api, account.Service,
            new OnFailureDestination(Failures, TimeProvider.System, Log), TimeProvider.System, Log));
        await account.EventuallyAsync(() => { lock (log) return log.Any(line => line.Contains("[throttled] throttled on")); },
            "the batch throttled");
        account.Release("holder");

        var invocations = await function.WaitForAsync(calls => calls.Count >= 1);

        Assert.Equal("ok", Assert.Single(invocations).Outcome);
        Assert.Equal(["a", "b"], invocations[0].Records.Select(StreamFunction.Value));
        Assert.False(Directory.Exists(Path.Combine(Failures, "throttled")));
        using var held = await holding;
    }

    [Fact]
    public async Task LATEST_starts_after_the_records_already_in_the_stream()
    {
        var (table, streamArn) = await dynamo.CreateTableAsync();
        var function = new StreamFunction(functions, "latest");
        await dynamo.PutAsync(table, "k", "before", "before");
        var calls = new StreamsCalls();
        Start(Source("latest", streamArn, batchSize: 10, startingPosition: "LATEST"), calls);
        await calls.Answered("GetShardIterator").WaitAsync(TimeSpan.FromMinutes(1)); // the mapping holds its LATEST iterator
        await dynamo.PutAsync(table, "k", "after", "after");

        var invocations = await function.WaitForAsync(calls => calls.Count >= 1);

        Assert.Equal(["after"], invocations.SelectMany(call => call.Records).Select(StreamFunction.Value));
    }

    [Fact]
    public async Task Stopping_while_a_stream_call_is_under_way_ends_the_poller_without_an_error()
    {
        // An endpoint that takes the connection and never answers: the poller is inside DescribeStream when it stops.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var accepted = silent.AcceptTcpClientAsync();
        var api = new DynamoDbStreamsApi(new HttpClient(), $"http://127.0.0.1:{((System.Net.IPEndPoint)silent.LocalEndpoint).Port}");
        var poller = StreamPoller.Start(Source("silent",
            "arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/2026-01-01T00:00:00.000", batchSize: 1),
            api, functions.Service, new OnFailureDestination(Failures, TimeProvider.System, Log), TimeProvider.System, Log);
        using var connection = await accepted;

        await poller.DisposeAsync();

        Assert.DoesNotContain(log, line => line.Contains("failed", StringComparison.Ordinal));
    }

    private void Start(StreamEventSource source, StreamsCalls? calls = null)
    {
        var api = new DynamoDbStreamsApi(calls is null ? new HttpClient() : new HttpClient(calls), dynamo.DynamoDb.Endpoint);
        running.Add(StreamPoller.Start(source, api, functions.Service, new OnFailureDestination(Failures, TimeProvider.System, Log),
            TimeProvider.System, Log));
    }

    private static StreamEventSource Source(string function, string streamArn, int batchSize, string startingPosition = "TRIM_HORIZON",
        string? filter = null, bool reportBatchItemFailures = false, bool bisect = false, int maximumRetryAttempts = -1,
            string? destination = null) =>
        new(function, $"arn:aws:lambda:us-east-1:000000000000:function:{function}", streamArn, startingPosition, batchSize, TimeSpan.Zero,
            filter is null ? EventFilter.PassAll
                : EventFilter.From(new JsonObject { ["Filters"] = new JsonArray(new JsonObject { ["Pattern"] = filter }) }),
            reportBatchItemFailures, bisect, maximumRetryAttempts, null, destination);

    private async Task<string> WaitForFailureAsync(string function)
    {
        var directory = Path.Combine(Failures, function);
        await functions.EventuallyAsync(() => Directory.Exists(directory) && Directory.GetFiles(directory) is [_],
            $"an on-failure record of {function}");
        return Directory.GetFiles(directory).Single();
    }

    private static string Key(JsonElement record) =>
        record.GetProperty("dynamodb").GetProperty("Keys").GetProperty("PK").GetProperty("S").GetString()!;

    /// <summary>Lets a test wait until the mapping's first call of an action (its X-Amz-Target) has been answered.</summary>
    private sealed class StreamsCalls() : DelegatingHandler(new HttpClientHandler())
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> answered = new();

        public Task Answered(string action) => Completion(action).Task;

        private TaskCompletionSource Completion(string action) =>
            answered.GetOrAdd(action, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode && request.Headers.TryGetValues("X-Amz-Target", out var targets))
                Completion(targets.Single().Split('.')[^1]).TrySetResult();
            return response;
        }
    }
}
