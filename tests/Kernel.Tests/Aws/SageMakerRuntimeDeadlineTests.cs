using Amazon.Runtime;
using Serverless.Kernel.Aws;
using Serverless.Kernel.Tests.Runtime;

namespace Serverless.Kernel.Tests.Aws;

/// <summary>Retries never run past the Lambda deadline.</summary>
public sealed class SageMakerRuntimeDeadlineTests : SageMakerRuntimeClientTestBase
{
    [Fact]
    public async Task No_retry_when_the_deadline_leaves_no_room_for_another_attempt()
    {
        server.Respond = context => Error(context, 429, "ThrottlingException", """{"message":"Rate exceeded"}""");
        var retry = new AwsRetryOptions { Random = new FixedRandom(0.5), Deadline = () => Now.AddMilliseconds(900) };

        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            Client(retry: retry).InvokeEndpointAsync(Endpoint, "{}"u8.ToArray(), "application/json",
                "application/json", CancellationToken.None));

        Assert.Equal("ThrottlingException", error.ErrorCode);
        Assert.Single(server.Requests);
        Assert.Empty(clock.Waits);
    }

    [Fact]
    public async Task A_wait_is_shortened_so_that_an_attempt_still_fits_before_the_deadline()
    {
        FailThenSucceed(context => Error(context, 503, "ServiceUnavailable", "{}"));
        var retry = new AwsRetryOptions
        {
            BaseDelay = TimeSpan.FromSeconds(100), Random = new FixedRandom(0.5), Deadline = () => Now.AddSeconds(3),
        };

        await Client(retry: retry).InvokeEndpointAsync(Endpoint, "{}"u8.ToArray(), "application/json",
            "application/json", CancellationToken.None);

        Assert.Equal(2, server.Requests.Count);
        Assert.Equal([TimeSpan.FromSeconds(2)], clock.Waits); // 3 s left, less MinAttemptTime (1 s)
        Assert.True(clock.GetUtcNow() <= Now.AddSeconds(3));
    }

    [Fact]
    public async Task A_slow_failed_attempt_counts_as_the_time_the_next_one_needs()
    {
        // The first attempt takes 5 s (on the fake clock) and fails; 3 s are left, too few for another 5 s attempt.
        server.Respond = context =>
        {
            clock.Advance(TimeSpan.FromSeconds(5));
            return Error(context, 503, "ServiceUnavailable", "{}");
        };
        var retry = new AwsRetryOptions { Random = new FixedRandom(0.5), Deadline = () => Now.AddSeconds(8) };

        await Assert.ThrowsAsync<AwsServiceException>(() =>
            Client(retry: retry).InvokeEndpointAsync(Endpoint, "{}"u8.ToArray(), "application/json",
                "application/json", CancellationToken.None));

        Assert.Single(server.Requests);
        Assert.Empty(clock.Waits);
    }

    [Fact]
    public async Task Cancellation_during_a_wait_stops_the_retries()
    {
        var manual = new ManualTimeProvider(Now); // its timers never fire on their own: the wait lasts until cancelled
        server.Respond = context => Error(context, 429, "ThrottlingException", """{"message":"Rate exceeded"}""");
        var client = new SageMakerRuntimeClient(http, manual, new BasicAWSCredentials(AccessKey, SecretKey), "eu-west-1", server.Endpoint,
            new AwsRetryOptions { Deadline = () => null, Random = new FixedRandom(0.5) });
        using var cancellation = new CancellationTokenSource();

        var call = client.InvokeEndpointAsync(Endpoint, "{}"u8.ToArray(), "application/json", "application/json", cancellation.Token);
        await WaitUntilAsync(() => manual.PendingTimers == 1); // the throttled attempt's retry is waiting
        Assert.False(call.IsCompleted);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Single(server.Requests);
    }
}
