using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Local.Lambda;
using Serverless.Local.Template;

namespace Serverless.Local.Tests.Lambda;

/// <summary>
/// Asynchronous (Event) invocations as Lambda runs them: retries with the same request id after function
/// errors, timeouts and crashes, the event age limit, and the invocation record for the on-failure destination (written
/// locally, and sent to a destination function). Each script appends the request id of every invocation it gets to
/// <c>$PACKAGE_DIR/attempts</c>.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AsyncInvocationTests : IAsyncLifetime
{
    private const string Destination = "arn:aws:sqs:us-east-1:000000000000:serverless-local-Failures";
    private static readonly EventInvokeConfig TwoRetries = new(2, TimeSpan.FromHours(6), Destination);

    /// <summary>Answers the first two invocations with a function error, the rest with a response.</summary>
    private const string FailsTwice = "while true; do\n" + ShellFunctions.Next + """

          echo "$id" >> "$PACKAGE_DIR/attempts"
          if [ "$(wc -l < "$PACKAGE_DIR/attempts")" -le 2 ]; then
            curl -s -X POST -d '{"errorMessage":"not yet","errorType":"Transient"}' \
              "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$id/error"
          else
            curl -s -X POST -d '{"done":true}' "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$id/response"
          fi
        done
        """;

    private const string AlwaysFails = "while true; do\n" + ShellFunctions.Next + """

          echo "$id" >> "$PACKAGE_DIR/attempts"
          curl -s -X POST -d '{"errorMessage":"bad file","errorType":"InvalidDataException","stackTrace":[]}' \
            "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$id/error"
        done
        """;

    private ShellFunctions functions = null!;

    public async Task InitializeAsync() => functions = await ShellFunctions.StartAsync();

    public async Task DisposeAsync() => await functions.DisposeAsync();

    [Fact]
    public async Task An_event_that_fails_twice_then_succeeds_runs_three_times_with_one_request_id_and_leaves_no_failure_record()
    {
        functions.Register("flaky", FailsTwice, eventInvokeConfig: TwoRetries);

        using var response = await functions.InvokeAsync("flaky", """{"n":1}""", "Event");
        var requestId = response.Headers.GetValues("x-amzn-RequestId").Single();
        await functions.EventuallyAsync(() => functions.Log.Any(line => line.Contains($"{requestId} succeeded on attempt 3")),
            "the third attempt");

        Assert.Equal([requestId, requestId, requestId], Attempts("flaky"));
        Assert.False(Directory.Exists(functions.FailuresDirectory));
    }

    [Fact]
    public async Task An_event_that_always_fails_runs_one_plus_the_retries_and_goes_to_the_destination_as_Lambdas_invocation_record()
    {
        functions.Register("fails", AlwaysFails, eventInvokeConfig: TwoRetries);

        using var response = await functions.InvokeAsync("fails", """{"Records":[{"n":1}]}""", "Event");
        var requestId = response.Headers.GetValues("x-amzn-RequestId").Single();
        var record = await FailureRecordAsync("fails");

        Assert.Equal([requestId, requestId, requestId], Attempts("fails"));
        Assert.Equal(["version", "timestamp", "requestContext", "requestPayload", "responseContext", "responsePayload"],
            record.EnumerateObject().Select(property => property.Name));
        Assert.Equal("1.0", record.GetProperty("version").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", record.GetProperty("timestamp").GetString());
        var context = record.GetProperty("requestContext");
        Assert.Equal(requestId, context.GetProperty("requestId").GetString());
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:fails:$LATEST", context.GetProperty("functionArn").GetString());
        Assert.Equal("RetriesExhausted", context.GetProperty("condition").GetString());
        Assert.Equal(3, context.GetProperty("approximateInvokeCount").GetInt32());
        Assert.Equal(1, record.GetProperty("requestPayload").GetProperty("Records")[0].GetProperty("n").GetInt32());
        var responseContext = record.GetProperty("responseContext");
        Assert.Equal(200, responseContext.GetProperty("statusCode").GetInt32());
        Assert.Equal("$LATEST", responseContext.GetProperty("executedVersion").GetString());
        Assert.Equal("Unhandled", responseContext.GetProperty("functionError").GetString());
        Assert.Equal("bad file", record.GetProperty("responsePayload").GetProperty("errorMessage").GetString());
        // The record is logged once its file is written, not before.
        await functions.EventuallyAsync(() => functions.Log.Any(line => line.Contains(requestId) && line.Contains(Destination)
            && line.Contains(functions.FailuresDirectory)),
            "the failure record's log line");
    }

    [Fact]
    public async Task A_function_destination_is_invoked_asynchronously_with_the_invocation_record_Lambda_sends()
    {
        // The destination is the function's alias, as the template names it (SAM's Fn.Alias).
        functions.Register("destination",
            ShellFunction.Answering("""cp event "$PACKAGE_DIR/record-$id.json"; echo "$id" >> "$PACKAGE_DIR/attempts" """),
            alias: "live");
        functions.Register("fails", AlwaysFails,
            eventInvokeConfig: new EventInvokeConfig(1, TimeSpan.FromHours(6),
                "arn:aws:lambda:us-east-1:000000000000:function:destination:live"));

        using var response = await functions.InvokeAsync("fails",
            """{"continueUpload":{"userSub":"sub","uploadId":"id","claim":"token"}}""", "Event");
        var requestId = response.Headers.GetValues("x-amzn-RequestId").Single();
        var written = await FailureRecordAsync("fails");
        await functions.EventuallyAsync(() => Attempts("destination").Count == 1, "the destination's invocation");
        var destinationRequestId = Attempts("destination").Single();
        var delivered = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(functions.PackageDirectory("destination"),
            $"record-{destinationRequestId}.json")))!;

        Assert.Equal([requestId, requestId], Attempts("fails"));
        Assert.NotEqual(requestId, destinationRequestId);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(written.GetRawText()), delivered),
            $"{delivered.ToJsonString()} is not the record written locally");
        Assert.Equal(["version", "timestamp", "requestContext", "requestPayload", "responseContext", "responsePayload"],
            delivered.AsObject().Select(property => property.Key));
        Assert.Equal(["requestId", "functionArn", "condition", "approximateInvokeCount"],
            delivered["requestContext"]!.AsObject().Select(property => property.Key));
        Assert.Equal(requestId, (string?)delivered["requestContext"]!["requestId"]);
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:fails:$LATEST", (string?)delivered["requestContext"]!["functionArn"]);
        Assert.Equal("RetriesExhausted", (string?)delivered["requestContext"]!["condition"]);
        Assert.Equal(2, (int?)delivered["requestContext"]!["approximateInvokeCount"]);
        Assert.Equal("token", (string?)delivered["requestPayload"]!["continueUpload"]!["claim"]);
        Assert.Equal("""{"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"}""",
            delivered["responseContext"]!.ToJsonString());
        Assert.Equal("bad file", (string?)delivered["responsePayload"]!["errorMessage"]);
        // Logged once the destination's invocation is queued, which may be after that invocation ran.
        await functions.EventuallyAsync(() => functions.Log.Any(line => line.Contains(requestId)
            && line.Contains($"sent to that function as asynchronous invocation {destinationRequestId}")),
            "the log line naming the destination's invocation");
    }

    [Fact]
    public async Task Timeouts_and_crashes_are_function_errors_that_are_retried()
    {
        var once = new EventInvokeConfig(1, TimeSpan.FromHours(6), Destination);
        functions.Register("slow", ShellFunctions.Next + """

            echo "$id" >> "$PACKAGE_DIR/attempts"
            sleep 30
            """, timeout: TimeSpan.FromSeconds(3), eventInvokeConfig: once);
        functions.Register("crashes", ShellFunctions.Next + """

            echo "$id" >> "$PACKAGE_DIR/attempts"
            exit 3
            """, eventInvokeConfig: once);

        using var slow = await functions.InvokeAsync("slow", "{}", "Event");
        using var crashes = await functions.InvokeAsync("crashes", "{}", "Event");
        var timedOut = await FailureRecordAsync("slow");
        var exited = await FailureRecordAsync("crashes");

        Assert.Equal(2, Attempts("slow").Count);
        Assert.Equal(2, Attempts("crashes").Count);
        Assert.Equal(2, timedOut.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
        Assert.Equal("Sandbox.Timedout", timedOut.GetProperty("responsePayload").GetProperty("errorType").GetString());
        Assert.Equal("Runtime.ExitError", exited.GetProperty("responsePayload").GetProperty("errorType").GetString());
    }

    [Fact]
    public async Task An_event_older_than_the_maximum_age_is_not_run_again_and_goes_to_the_destination_as_EventAgeExceeded()
    {
        // The first attempt holds its answer until the clock has moved two hours on; the event may be one hour old.
        var time = new ShiftedTime();
        await using var shifted = await ShellFunctions.StartAsync(time);
        shifted.Register("fails", ShellFunctions.Next + """

            echo "$id" >> "$PACKAGE_DIR/attempts"
            while [ ! -f "$PACKAGE_DIR/release" ]; do sleep 0.05; done
            curl -s -X POST -d '{"errorMessage":"bad file","errorType":"InvalidDataException"}' \
              "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$id/error"
            sleep 30
            """, eventInvokeConfig: new EventInvokeConfig(2, TimeSpan.FromHours(1), Destination));

        using var response = await shifted.InvokeAsync("fails", "{}", "Event");
        await shifted.EventuallyAsync(() => Attempts("fails", shifted).Count == 1, "the first attempt");
        time.Offset = TimeSpan.FromHours(2);
        await File.WriteAllTextAsync(Path.Combine(shifted.PackageDirectory("fails"), "release"), "");
        var record = await FailureRecordAsync("fails", shifted);

        Assert.Single(Attempts("fails", shifted));
        Assert.Equal("EventAgeExceeded", record.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal(1, record.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
        Assert.Equal("bad file", record.GetProperty("responsePayload").GetProperty("errorMessage").GetString());
    }

    /// <summary>The system's clock and timers, with the clock moved on by <see cref="Offset"/>.</summary>
    private sealed class ShiftedTime : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
    }

    [Fact]
    public async Task Without_a_destination_an_event_given_up_on_is_logged_and_dropped()
    {
        functions.Register("fails", AlwaysFails, eventInvokeConfig: new EventInvokeConfig(0, TimeSpan.FromHours(6), null));

        using var response = await functions.InvokeAsync("fails", "{}", "Event");
        var requestId = response.Headers.GetValues("x-amzn-RequestId").Single();
        await functions.EventuallyAsync(() => functions.Log.Any(line =>
            line.Contains($"{requestId} discarded (RetriesExhausted after 1 attempt)")),
            "the discarded event's log line");

        Assert.Single(Attempts("fails"));
        Assert.False(Directory.Exists(functions.FailuresDirectory));
    }

    [Fact]
    public async Task The_Invoke_API_answers_202_before_the_function_has_run()
    {
        // The function holds its invocation until the test has its answer.
        functions.Register("held", ShellFunctions.Next + """

            echo "$id" >> "$PACKAGE_DIR/attempts"
            while [ ! -f "$PACKAGE_DIR/release" ]; do sleep 0.05; done
            curl -s -X POST -d '{}' "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$id/response"
            sleep 30
            """);

        using var response = await functions.InvokeAsync("held", """{"n":1}""", "Event");
        var requestId = response.Headers.GetValues("x-amzn-RequestId").Single();
        var answeredBeforeRelease = !File.Exists(Path.Combine(functions.PackageDirectory("held"), "release"));
        await File.WriteAllTextAsync(Path.Combine(functions.PackageDirectory("held"), "release"), "");
        await functions.EventuallyAsync(() => Attempts("held").Count == 1, "the invocation");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.True(answeredBeforeRelease);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal([requestId], Attempts("held"));
    }

    [Fact]
    public void The_templates_EventInvokeConfig_is_read_with_its_destination_and_Lambdas_defaults_fill_the_rest()
    {
        var template = SamTemplate.Load(LocalCloudOptions.FindRepoRoot(AppContext.BaseDirectory) + "/template.yaml");
        // The destination is the function's live alias (SAM's FailStrandedUploadFunction.Alias).
        const string function = "arn:aws:lambda:us-east-1:000000000000:function:FailStrandedUploadFunction:live";
        var resolver = OfflineValues.Resolver(template);

        var config = EventInvokeConfig.From(resolver.Resolve(template.FunctionProperties("ProcessUploadFunction")["EventInvokeConfig"]));
        var retriesOnly = EventInvokeConfig.From(JsonNode.Parse("""{"MaximumRetryAttempts": 0}"""));

        Assert.Equal(new EventInvokeConfig(2, TimeSpan.FromHours(6), function), config);
        Assert.Equal(new EventInvokeConfig(0, TimeSpan.FromHours(6), null), retriesOnly);
        Assert.Null(EventInvokeConfig.From(template.FunctionProperties("UploadsApiFunction")["EventInvokeConfig"]));
    }

    private IReadOnlyList<string> Attempts(string function, ShellFunctions? service = null)
    {
        var path = Path.Combine((service ?? functions).PackageDirectory(function), "attempts");
        return File.Exists(path) ? File.ReadAllLines(path) : [];
    }

    private async Task<JsonElement> FailureRecordAsync(string function, ShellFunctions? service = null)
    {
        service ??= functions;
        var directory = Path.Combine(service.FailuresDirectory, function);
        await service.EventuallyAsync(() => Directory.Exists(directory) && Directory.EnumerateFiles(directory).Any(),
            $"a failure record of {function}");
        var file = Directory.EnumerateFiles(directory).Single();
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(file));
        var record = document.RootElement.Clone();
        Assert.Equal($"{record.GetProperty("requestContext").GetProperty("requestId").GetString()}.json", Path.GetFileName(file)[^41..]);
        return record;
    }
}
