using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Serverless.Kernel.Runtime;

namespace Serverless.Kernel.Tests.Runtime;

[Collection(LambdaEnvironmentCollection.Name)]
public class LambdaBootstrapTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_715_680_600_000);

    private static LambdaHandler Returns(string text) => (_, _) => Task.FromResult(Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task A_successful_invocation_posts_the_handlers_bytes_as_the_response()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        api.Enqueue("r-1", """{"n":1}""");
        string? received = null;
        _ = api.RunAsync((payload, _) =>
        {
            received = Encoding.UTF8.GetString(payload);
            return Task.FromResult(new byte[] { 0x7b, 0x7d, 0x00, 0xff });
        });

        var post = await api.NextPostAsync();

        Assert.Equal("/invocation/r-1/response", post.Path);
        Assert.Equal(new byte[] { 0x7b, 0x7d, 0x00, 0xff }, post.Body);
        Assert.Equal("""{"n":1}""", received);
    }

    [Fact]
    public async Task Invocations_are_served_one_after_another_until_stopped()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        api.Enqueue("r-1", "1");
        api.Enqueue("r-2", "2");
        _ = api.RunAsync((payload, context) =>
            Task.FromResult(Encoding.UTF8.GetBytes(context.AwsRequestId + ":" + Encoding.UTF8.GetString(payload))));

        Assert.Equal("r-1:1", (await api.NextPostAsync()).Text);
        Assert.Equal("r-2:2", (await api.NextPostAsync()).Text);
        Assert.Equal(0, await api.StopAsync());
    }

    [Fact]
    public async Task The_handler_sees_the_invocation_headers_as_its_context()
    {
        const string trace = "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1";
        const string clientContext = """{"client":{"installation_id":"i-1"},"custom":{},"env":{}}""";
        const string identity = """{"cognitoIdentityId":"us-east-2:1234","cognitoIdentityPoolId":"us-east-2:pool"}""";
        var time = new ManualTimeProvider(Now);
        await using var api = await FakeRuntimeApi.StartAsync();
        api.Enqueue("8476a536-e9f4-11e8-9739-2dfe598c3fcd", "{}", new Dictionary<string, string>
        {
            ["Lambda-Runtime-Deadline-Ms"] = "1715680660000",
            ["Lambda-Runtime-Invoked-Function-Arn"] = "arn:aws:lambda:us-east-2:123456789012:function:custom-runtime:live",
            ["Lambda-Runtime-Trace-Id"] = trace,
            ["Lambda-Runtime-Client-Context"] = clientContext,
            ["Lambda-Runtime-Cognito-Identity"] = identity,
        });
        LambdaContext? seen = null;
        LambdaContext? current = null;
        string? traceVariable = null;
        _ = api.RunAsync((_, context) =>
        {
            seen = context;
            current = LambdaContext.Current;
            traceVariable = Environment.GetEnvironmentVariable("_X_AMZN_TRACE_ID");
            return Task.FromResult("{}"u8.ToArray());
        }, time);

        await api.NextPostAsync();

        Assert.NotNull(seen);
        Assert.Equal("8476a536-e9f4-11e8-9739-2dfe598c3fcd", seen.AwsRequestId);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_715_680_660_000), seen.Deadline);
        Assert.Equal("arn:aws:lambda:us-east-2:123456789012:function:custom-runtime:live", seen.InvokedFunctionArn);
        Assert.Equal(trace, seen.TraceId);
        Assert.Equal(clientContext, seen.ClientContext);
        Assert.Equal(identity, seen.Identity);
        Assert.Equal(trace, traceVariable);
        Assert.Same(seen, current);
        Assert.Equal(TimeSpan.FromSeconds(60), seen.RemainingTime);
        time.Advance(TimeSpan.FromSeconds(45));
        Assert.Equal(TimeSpan.FromSeconds(15), seen.RemainingTime);
    }

    [Fact]
    public async Task Headers_the_invocation_lacks_are_null_in_the_context()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        api.Enqueue("r-1", "{}");
        LambdaContext? seen = null;
        _ = api.RunAsync((_, context) => { seen = context; return Task.FromResult("{}"u8.ToArray()); });

        await api.NextPostAsync();

        Assert.NotNull(seen);
        Assert.Null(seen.TraceId);
        Assert.Null(seen.ClientContext);
        Assert.Null(seen.Identity);
    }

    [Fact]
    public async Task The_cancellation_token_fires_the_deadline_margin_before_the_deadline()
    {
        var time = new ManualTimeProvider(Now);
        await using var api = await FakeRuntimeApi.StartAsync();
        api.Enqueue("r-1", "{}", new Dictionary<string, string> { ["Lambda-Runtime-Deadline-Ms"] = "1715680610000" });
        var started = new TaskCompletionSource<LambdaContext>(TaskCreationOptions.RunContinuationsAsynchronously);
        var finish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = api.RunAsync(async (_, context) =>
        {
            started.SetResult(context);
            await finish.Task;
            return "{}"u8.ToArray();
        }, time);
        var context = await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(LambdaBootstrap.DeadlineMargin > TimeSpan.Zero);
        time.Advance(TimeSpan.FromSeconds(10) - LambdaBootstrap.DeadlineMargin - TimeSpan.FromMilliseconds(1));
        Assert.False(context.CancellationToken.IsCancellationRequested);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(context.CancellationToken.IsCancellationRequested);
        Assert.Equal(LambdaBootstrap.DeadlineMargin, context.RemainingTime);

        finish.SetResult();
        Assert.Equal("/invocation/r-1/response", (await api.NextPostAsync()).Path);
    }

    [Fact]
    public async Task An_invocation_already_inside_the_margin_starts_cancelled()
    {
        var time = new ManualTimeProvider(Now);
        await using var api = await FakeRuntimeApi.StartAsync();
        api.Enqueue("r-1", "{}", new Dictionary<string, string> { ["Lambda-Runtime-Deadline-Ms"] = "1715680600100" });
        bool? cancelled = null;
        _ = api.RunAsync((_, context) =>
        {
            cancelled = context.CancellationToken.IsCancellationRequested;
            return Task.FromResult("{}"u8.ToArray());
        }, time);

        await api.NextPostAsync();

        Assert.True(cancelled);
    }

    [Fact]
    public async Task A_handler_that_throws_is_reported_as_that_invocations_error_and_the_loop_goes_on()
    {
        const string garbage = """{"name": """;
        var expected = Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<Dictionary<string, string>>(garbage));
        await using var api = await FakeRuntimeApi.StartAsync();
        api.Enqueue("bad", garbage);
        api.Enqueue("good", """{"name":"ok"}""");
        _ = api.RunAsync((payload, _) =>
        {
            var input = JsonSerializer.Deserialize<Dictionary<string, string>>(payload)!;
            return Task.FromResult(Encoding.UTF8.GetBytes(input["name"]));
        });

        var error = await api.NextPostAsync();
        var next = await api.NextPostAsync();

        Assert.Equal("/invocation/bad/error", error.Path);
        Assert.Equal(expected.GetType().Name, error.Headers["Lambda-Runtime-Function-Error-Type"]);
        Assert.StartsWith("application/json", error.Headers["Content-Type"]);
        var body = error.Json;
        Assert.Equal(expected.GetType().Name, body.GetProperty("errorType").GetString());
        Assert.Equal(expected.Message, body.GetProperty("errorMessage").GetString());
        var stackTrace = body.GetProperty("stackTrace").EnumerateArray().Select(frame => frame.GetString()!).ToList();
        Assert.NotEmpty(stackTrace);
        Assert.All(stackTrace, frame => Assert.StartsWith("at ", frame));
        Assert.Equal("/invocation/good/response", next.Path);
        Assert.Equal("ok", next.Text);
    }

    [Fact]
    public async Task An_unknown_handler_name_is_an_init_error_and_the_loop_never_starts()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        var handlers = new Dictionary<string, Func<ILoggerFactory, Task<LambdaHandler>>>
        {
            ["ProfileApi"] = _ => Task.FromResult(Returns("{}")),
            ["CreateProfile"] = _ => Task.FromResult(Returns("{}")),
        };

        var exitCode = await api.RunAsync(handlers, "Profile").WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, exitCode);
        var post = await api.NextPostAsync();
        Assert.Equal("/init/error", post.Path);
        Assert.Equal("HandlerNotFoundException", post.Headers["Lambda-Runtime-Function-Error-Type"]);
        Assert.Equal("HandlerNotFoundException", post.Json.GetProperty("errorType").GetString());
        Assert.Equal("No handler named 'Profile' in this package; it has: ProfileApi, CreateProfile.",
            post.Json.GetProperty("errorMessage").GetString());
        Assert.Equal(JsonValueKind.Array, post.Json.GetProperty("stackTrace").ValueKind);
        Assert.Equal(0, api.NextRequests);
    }

    [Fact]
    public async Task A_handler_factory_that_throws_is_an_init_error()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        var handlers = new Dictionary<string, Func<ILoggerFactory, Task<LambdaHandler>>>
        {
            ["Fn"] = async _ =>
            {
                await Task.Yield();
                throw new InvalidOperationException("TABLE_NAME is not set.");
            },
        };

        var exitCode = await api.RunAsync(handlers, "Fn").WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, exitCode);
        var post = await api.NextPostAsync();
        Assert.Equal("/init/error", post.Path);
        Assert.Equal("InvalidOperationException", post.Headers["Lambda-Runtime-Function-Error-Type"]);
        Assert.Equal("InvalidOperationException", post.Json.GetProperty("errorType").GetString());
        Assert.Equal("TABLE_NAME is not set.", post.Json.GetProperty("errorMessage").GetString());
        Assert.NotEmpty(post.Json.GetProperty("stackTrace").EnumerateArray());
        Assert.Equal(0, api.NextRequests);
    }

    [Fact]
    public async Task A_response_the_runtime_api_refuses_is_reported_as_that_invocations_error()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        api.Answers["/invocation/big/response"] = 413;
        api.Enqueue("big", "{}");
        api.Enqueue("small", "{}");
        _ = api.RunAsync((_, context) => Task.FromResult(Encoding.UTF8.GetBytes(context.AwsRequestId)));

        var refused = await api.NextPostAsync();
        var error = await api.NextPostAsync();
        var next = await api.NextPostAsync();

        Assert.Equal("/invocation/big/response", refused.Path);
        Assert.Equal("/invocation/big/error", error.Path);
        Assert.Equal("HttpRequestException", error.Headers["Lambda-Runtime-Function-Error-Type"]);
        Assert.Equal("HttpRequestException", error.Json.GetProperty("errorType").GetString());
        Assert.Contains("413", error.Json.GetProperty("errorMessage").GetString());
        Assert.Equal("/invocation/small/response", next.Path);
        Assert.Equal("small", next.Text);
    }

    [Fact]
    public async Task The_loop_goes_on_when_lambda_also_refuses_the_error_report_of_a_refused_response()
    {
        // Real Lambda has already failed an invocation whose response it refused: the error report then gets 403.
        await using var api = await FakeRuntimeApi.StartAsync();
        api.Answers["/invocation/big/response"] = 413;
        api.Answers["/invocation/big/error"] = 403;
        api.Enqueue("big", "{}");
        api.Enqueue("small", "{}");
        var run = api.RunAsync((_, context) => Task.FromResult(Encoding.UTF8.GetBytes(context.AwsRequestId)));

        Assert.Equal("/invocation/big/response", (await api.NextPostAsync()).Path);
        Assert.Equal("/invocation/big/error", (await api.NextPostAsync()).Path);
        var next = await api.NextPostAsync();

        Assert.False(run.IsCompleted);
        Assert.Equal("/invocation/small/response", next.Path);
    }

    [Fact]
    public async Task The_main_overload_needs_AWS_LAMBDA_RUNTIME_API()
    {
        Environment.SetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API", null);
        var handlers = new Dictionary<string, Func<ILoggerFactory, Task<LambdaHandler>>> { ["Fn"] = _ => Task.FromResult(Returns("{}")) };

        Assert.Equal(1, await LambdaBootstrap.RunAsync(handlers).WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task The_main_overload_takes_the_handler_from_HANDLER()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        Environment.SetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API", api.Address);
        Environment.SetEnvironmentVariable("_HANDLER", "Missing");
        try
        {
            var handlers = new Dictionary<string, Func<ILoggerFactory, Task<LambdaHandler>>> { ["Fn"] = _ =>
                Task.FromResult(Returns("{}")) };

            Assert.Equal(1, await LambdaBootstrap.RunAsync(handlers).WaitAsync(TimeSpan.FromSeconds(10)));
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API", null);
            Environment.SetEnvironmentVariable("_HANDLER", null);
        }
        var post = await api.NextPostAsync();
        Assert.Equal("/init/error", post.Path);
        Assert.Equal("No handler named 'Missing' in this package; it has: Fn.", post.Json.GetProperty("errorMessage").GetString());
    }
}
