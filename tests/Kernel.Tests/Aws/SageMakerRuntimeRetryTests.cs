using System.Net;
using System.Text;
using Serverless.Kernel.Aws;

namespace Serverless.Kernel.Tests.Aws;

/// <summary>Which failures are retried, and how long the client waits.</summary>
public sealed class SageMakerRuntimeRetryTests : SageMakerRuntimeClientTestBase
{
    [Theory]
    [InlineData(429, "ThrottlingException", """{"message":"Rate exceeded"}""")]
    [InlineData(400, "ThrottlingException", """{"message":"Rate exceeded"}""")]
    [InlineData(429, "ModelNotReadyException", """{"Message":"Model is loading"}""")]
    [InlineData(500, "InternalFailure", """{"Message":"An internal failure occurred."}""")]
    [InlineData(502, "", "<html>Bad Gateway</html>")]
    [InlineData(503, "ServiceUnavailable", """{"Message":"The service is unavailable. Try your call again."}""")]
    [InlineData(530, "InternalDependencyException", """{"Message":"Contact customer support."}""")]
    public async Task A_transient_error_is_retried(int status, string errorType, string body)
    {
        FailThenSucceed(context => errorType.Length == 0 ? StubAwsServer.Json(context, status, body)
            : Error(context, status, errorType, body));

        var answer = await Client().InvokeEndpointAsync(Endpoint, "{}"u8.ToArray(), "application/json",
            "application/json", CancellationToken.None);

        Assert.Equal("""[{"label":"POSITIVE","score":0.98}]""", Encoding.UTF8.GetString(answer));
        Assert.Equal(2, server.Requests.Count);
        Assert.Equal([TimeSpan.FromSeconds(0.5)], clock.Waits);
    }

    [Fact]
    public async Task Throttling_then_unavailable_then_success_takes_three_attempts_with_growing_jittered_waits()
    {
        FailThenSucceed(
            context => Error(context, 429, "ThrottlingException", """{"message":"Rate exceeded"}"""),
            context => Error(context, 503, "ServiceUnavailable", """{"Message":"Try again."}"""));
        var body = """{"inputs":["x"]}"""u8.ToArray();

        var answer = await Client().InvokeEndpointAsync(Endpoint, body, "application/json", "application/json", CancellationToken.None);

        Assert.NotEmpty(answer);
        var requests = server.Requests;
        Assert.Equal(3, requests.Count);
        Assert.All(requests, r => Assert.Equal(body, r.Body));
        Assert.All(requests, r => Assert.Equal("/endpoints/sentiment-prod/invocations", r.RawTarget));
        // Full jitter: a random share (here one half) of a cap that doubles from BaseDelay (1 s).
        Assert.Equal([TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1)], clock.Waits);
        // Each attempt is signed afresh, at the (fake) time it is sent.
        Assert.Equal(["20240102T030405Z", "20240102T030405Z", "20240102T030406Z"], requests.Select(r => r.Headers["X-Amz-Date"]));
        Assert.Equal(ExpectedAuthorization(requests[2], token: null, signingTime: Now.AddSeconds(1.5)),
            requests[2].Headers["Authorization"]);
    }

    [Fact]
    public async Task Full_jitter_waits_stay_under_their_doubling_cap_up_to_the_maximum()
    {
        server.Respond = context => Error(context, 503, "ServiceUnavailable", """{"Message":"Try again."}""");
        var retry = new AwsRetryOptions
        {
            MaxAttempts = 7, BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromMilliseconds(1000), Deadline = () => null,
        };

        await Assert.ThrowsAsync<AwsServiceException>(() =>
            Client(retry: retry).InvokeEndpointAsync(Endpoint, "{}"u8.ToArray(), "application/json",
                "application/json", CancellationToken.None));

        var caps = new[] { 100, 200, 400, 800, 1000, 1000 };
        Assert.Equal(7, server.Requests.Count);
        Assert.Equal(caps.Length, clock.Waits.Count);
        for (var i = 0; i < caps.Length; i++)
            Assert.InRange(clock.Waits[i], TimeSpan.Zero, TimeSpan.FromMilliseconds(caps[i]));
    }

    [Fact]
    public async Task When_the_attempts_run_out_the_last_error_is_thrown()
    {
        var calls = 0;
        server.Respond = context => Interlocked.Increment(ref calls) == 3
            ? Error(context, 503, "ServiceUnavailable", """{"Message":"Still unavailable."}""")
            : Error(context, 429, "ThrottlingException", """{"message":"Rate exceeded"}""");

        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            Client().InvokeEndpointAsync(Endpoint, "{}"u8.ToArray(), "application/json", "application/json", CancellationToken.None));

        Assert.Equal(3, server.Requests.Count);
        Assert.Equal("ServiceUnavailable", error.ErrorCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal("Still unavailable.", error.Message);
        Assert.Equal("req-503", error.RequestId);
        Assert.Equal(2, clock.Waits.Count);
    }

    [Fact]
    public async Task A_dropped_connection_is_retried()
    {
        FailThenSucceed(context =>
        {
            context.Abort();
            return Task.CompletedTask;
        });

        await Client().InvokeEndpointAsync(Endpoint, "{}"u8.ToArray(), "application/json", "application/json", CancellationToken.None);

        Assert.Equal(2, server.Requests.Count);
        Assert.Single(clock.Waits);
    }

    [Fact]
    public async Task A_timed_out_attempt_is_retried()
    {
        using var impatient = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        FailThenSucceed(async context => await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted));

        await Client(transport: impatient).InvokeEndpointAsync(Endpoint, "{}"u8.ToArray(), "application/json",
            "application/json", CancellationToken.None);

        Assert.Equal(2, server.Requests.Count);
        Assert.Single(clock.Waits);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_not_retried()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource();
        server.Respond = async context =>
        {
            arrived.SetResult();
            await release.Task;
            await Ok(context);
        };
        using var cancellation = new CancellationTokenSource();
        try
        {
            var call = Client().InvokeEndpointAsync(Endpoint, "{}"u8.ToArray(), "application/json", "application/json", cancellation.Token);
            await arrived.Task.WaitAsync(TimeSpan.FromMinutes(1)); // cancelled while its attempt is under way, not before it is sent
            await cancellation.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        }
        finally
        {
            release.SetResult();
        }
        Assert.Single(server.Requests);
        Assert.Empty(clock.Waits);
    }
}
