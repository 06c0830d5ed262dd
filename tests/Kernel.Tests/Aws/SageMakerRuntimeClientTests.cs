using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;
using Microsoft.AspNetCore.Http;
using Serverless.Kernel.Aws;
using Serverless.Kernel.Runtime;
using Serverless.Kernel.Tests.Runtime;

namespace Serverless.Kernel.Tests.Aws;

public sealed class SageMakerRuntimeClientTests : IAsyncLifetime
{
    private const string AccessKey = "AKIAIOSFODNN7EXAMPLE";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string Endpoint = "sentiment-prod";
    private static readonly DateTimeOffset Now = new(2024, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private StubAwsServer server = null!;
    private readonly HttpClient http = new();
    private readonly SleeplessClock clock = new(Now);

    public async Task InitializeAsync() => server = await StubAwsServer.StartAsync();

    public async Task DisposeAsync()
    {
        http.Dispose();
        await server.DisposeAsync();
    }

    /// <summary>Waits of exactly half their cap (0.5 s, 1 s, 2 s, ...), no deadline unless given.</summary>
    private SageMakerRuntimeClient Client(string? token = null, AwsRetryOptions? retry = null, HttpClient? transport = null) =>
        new(transport ?? http, clock,
            token is null ? new BasicAWSCredentials(AccessKey, SecretKey) : new SessionAWSCredentials(AccessKey, SecretKey, token),
            region: "eu-west-1", endpoint: server.Endpoint,
            retry: retry ?? new AwsRetryOptions { Random = new FixedRandom(0.5), Deadline = () => null });

    private static Task Error(HttpContext context, int status, string errorType, string body) =>
        StubAwsServer.Json(context, status, body, ("x-amzn-RequestId", "req-" + status), ("x-amzn-ErrorType", errorType));

    private static Task Ok(HttpContext context, string body = """[{"label":"POSITIVE","score":0.98}]""") =>
        StubAwsServer.Json(context, 200, body);

    /// <summary>Answers the given failures in turn, then 200.</summary>
    private void FailThenSucceed(params Func<HttpContext, Task>[] failures)
    {
        var calls = 0;
        server.Respond = context =>
        {
            var call = Interlocked.Increment(ref calls) - 1;
            return call < failures.Length ? failures[call](context) : Ok(context);
        };
    }

    [Fact]
    public async Task InvokeEndpoint_posts_the_body_as_is_to_the_invocations_path_signed_for_sagemaker()
    {
        server.Respond = async context =>
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "text/csv";
            await context.Response.WriteAsync("label,score\nPOSITIVE,0.98\n");
        };
        var body = "I love it,\"and \u00e9\"\n"u8.ToArray();

        var answer = await Client().InvokeEndpointAsync(Endpoint, body, "text/csv", "text/csv; q=0.9, application/json", CancellationToken.None);

        Assert.Equal("label,score\nPOSITIVE,0.98\n", Encoding.UTF8.GetString(answer));
        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/endpoints/sentiment-prod/invocations", request.RawTarget);
        Assert.Equal(body, request.Body);
        Assert.Equal("text/csv", request.Headers["Content-Type"]);
        Assert.Equal("text/csv; q=0.9, application/json", request.Headers["Accept"]);
        Assert.Equal("20240102T030405Z", request.Headers["X-Amz-Date"]);
        Assert.False(request.Headers.ContainsKey("X-Amz-Security-Token"));
        Assert.False(request.Headers.ContainsKey("x-amz-content-sha256"));
        Assert.False(request.Headers.ContainsKey("X-Amz-Target"));
        Assert.Equal(ExpectedAuthorization(request, token: null), request.Headers["Authorization"]);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240102/eu-west-1/sagemaker/aws4_request, " +
            "SignedHeaders=accept;content-type;host;x-amz-date, Signature=", request.Headers["Authorization"]);
    }

    [Fact]
    public async Task A_session_token_is_sent_and_signed()
    {
        server.Respond = context => Ok(context);

        await Client(token: "FwoGZXIvYXdzEXAMPLETOKEN").InvokeEndpointAsync(Endpoint, "{}"u8.ToArray(), "application/json", "application/json", CancellationToken.None);

        var request = Assert.Single(server.Requests);
        Assert.Equal("FwoGZXIvYXdzEXAMPLETOKEN", request.Headers["X-Amz-Security-Token"]);
        Assert.Contains("SignedHeaders=accept;content-type;host;x-amz-date;x-amz-security-token, ", request.Headers["Authorization"]);
        Assert.Equal(ExpectedAuthorization(request, "FwoGZXIvYXdzEXAMPLETOKEN"), request.Headers["Authorization"]);
    }

    [Fact]
    public async Task Classify_sends_the_hugging_face_inputs_and_reads_one_classification_per_text()
    {
        server.Respond = context => Ok(context, """[{"label":"POSITIVE","score":0.9158},{"label":"NEGATIVE","score":0.75}]""");

        var results = await Client().ClassifyAsync(Endpoint, ["I love it", "Ce n'est \"pas\" bien"], CancellationToken.None);

        Assert.Equal([new Classification("POSITIVE", 0.9158), new Classification("NEGATIVE", 0.75)], results);
        var request = Assert.Single(server.Requests);
        Assert.Equal("/endpoints/sentiment-prod/invocations", request.RawTarget);
        Assert.Equal("""{"inputs":["I love it","Ce n\u0027est \u0022pas\u0022 bien"]}""", Encoding.UTF8.GetString(request.Body));
        Assert.Equal("application/json", request.Headers["Content-Type"]);
        Assert.Equal("application/json", request.Headers["Accept"]);
    }

    [Theory]
    [InlineData("""[{"label":"POSITIVE","score":0.9}]""", "answered 1 classifications for 2 texts")]
    [InlineData("""[{"label":"POSITIVE","score":0.9},{"label":"NEGATIVE","score":0.8},{"label":"NEUTRAL","score":0.7}]""", "answered 3 classifications for 2 texts")]
    [InlineData("null", "answered null for 2 texts")]
    [InlineData("""[{"label":"POSITIVE","score":0.9},{"score":0.8}]""", "did not answer a JSON array")]
    [InlineData("""[{"label":"POSITIVE","score":0.9},{"label":null,"score":0.8}]""", "did not answer a JSON array")]
    [InlineData("""{"label":"POSITIVE","score":0.9}""", "did not answer a JSON array")]
    [InlineData("""[[{"label":"POSITIVE","score":0.9}],[{"label":"NEGATIVE","score":0.8}]]""", "did not answer a JSON array")]
    public async Task Classify_refuses_an_answer_that_is_not_one_classification_per_text(string answer, string message)
    {
        server.Respond = context => Ok(context, answer);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Client().ClassifyAsync(Endpoint, ["a", "b"], CancellationToken.None));

        Assert.Contains(message, error.Message);
        Assert.Contains(Endpoint, error.Message);
    }

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
        FailThenSucceed(context => errorType.Length == 0 ? StubAwsServer.Json(context, status, body) : Error(context, status, errorType, body));

        var answer = await Client().InvokeEndpointAsync(Endpoint, "{}"u8.ToArray(), "application/json", "application/json", CancellationToken.None);

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
        Assert.Equal(ExpectedAuthorization(requests[2], token: null, signingTime: Now.AddSeconds(1.5)), requests[2].Headers["Authorization"]);
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
            Client(retry: retry).InvokeEndpointAsync(Endpoint, "{}"u8.ToArray(), "application/json", "application/json", CancellationToken.None));

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
    public async Task A_model_error_is_not_retried_and_keeps_the_containers_answer()
    {
        const string logStream = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/Endpoints/sentiment-prod";
        server.Respond = context => Error(context, 424, "ModelError:http://internal.amazon.com/coral/com.amazon.sagemaker/", $$"""
            {"ErrorCode":"CLIENT_ERROR_FROM_MODEL","LogStreamArn":"{{logStream}}",
             "Message":"Received client error (400) from primary with message \"{\"code\":400,\"type\":\"InternalServerException\",\"message\":\"text input must be of type str\"}\". See the log stream for more information.",
             "OriginalMessage":"{\"code\":400,\"type\":\"InternalServerException\",\"message\":\"text input must be of type str\"}",
             "OriginalStatusCode":400}
            """);

        var error = await Assert.ThrowsAsync<ModelErrorException>(() =>
            Client().InvokeEndpointAsync(Endpoint, """{"inputs":[1]}"""u8.ToArray(), "application/json", "application/json", CancellationToken.None));

        Assert.Single(server.Requests);
        Assert.Empty(clock.Waits);
        Assert.Equal("ModelError", error.ErrorCode);
        Assert.Equal(HttpStatusCode.FailedDependency, error.StatusCode);
        Assert.Equal("req-424", error.RequestId);
        Assert.StartsWith("Received client error (400) from primary with message", error.Message);
        Assert.Equal(400, error.OriginalStatusCode);
        Assert.Equal("""{"code":400,"type":"InternalServerException","message":"text input must be of type str"}""", error.OriginalMessage);
        Assert.Equal(logStream, error.LogStreamArn);
        Assert.IsAssignableFrom<AwsServiceException>(error);
        Assert.Contains("ModelErrorException: ModelError (424, request req-424)", error.ToString());
    }

    [Fact]
    public async Task A_model_error_whose_container_was_throttled_is_still_final()
    {
        server.Respond = context => Error(context, 424, "ModelError",
            """{"Message":"Received server error (503) from primary.","OriginalStatusCode":503,"OriginalMessage":"busy"}""");

        var error = await Assert.ThrowsAsync<ModelErrorException>(() =>
            Client().InvokeEndpointAsync(Endpoint, "{}"u8.ToArray(), "application/json", "application/json", CancellationToken.None));

        Assert.Single(server.Requests);
        Assert.Equal(503, error.OriginalStatusCode);
        Assert.Equal("busy", error.OriginalMessage);
        Assert.Null(error.LogStreamArn);
    }

    [Theory]
    [InlineData(400, "ValidationError", """{"Message":"Endpoint sentiment-prod of account 123456789012 not found."}""", "Endpoint sentiment-prod of account 123456789012 not found.")]
    [InlineData(403, "AccessDeniedException", """{"Message":"not authorized to perform: sagemaker:InvokeEndpoint"}""", "not authorized to perform: sagemaker:InvokeEndpoint")]
    [InlineData(404, "UnknownOperationException", "{}", "404 Not Found")]
    [InlineData(413, "", """{"message":"HTTP content length exceeded 6291456 bytes."}""", "HTTP content length exceeded 6291456 bytes.")]
    [InlineData(501, "NotImplemented", """{"Message":"no"}""", "no")]
    public async Task Other_client_errors_are_final(int status, string errorType, string body, string message)
    {
        server.Respond = context => errorType.Length == 0 ? StubAwsServer.Json(context, status, body) : Error(context, status, errorType, body);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            Client().InvokeEndpointAsync(Endpoint, "{}"u8.ToArray(), "application/json", "application/json", CancellationToken.None));

        Assert.IsNotType<ModelErrorException>(error);
        Assert.Single(server.Requests);
        Assert.Equal(status, (int)error.StatusCode);
        Assert.Equal(errorType.Length == 0 ? AwsServiceException.UnknownErrorCode : errorType, error.ErrorCode);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task No_retry_when_the_deadline_leaves_no_room_for_another_attempt()
    {
        server.Respond = context => Error(context, 429, "ThrottlingException", """{"message":"Rate exceeded"}""");
        var retry = new AwsRetryOptions { Random = new FixedRandom(0.5), Deadline = () => Now.AddMilliseconds(900) };

        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            Client(retry: retry).InvokeEndpointAsync(Endpoint, "{}"u8.ToArray(), "application/json", "application/json", CancellationToken.None));

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

        await Client(retry: retry).InvokeEndpointAsync(Endpoint, "{}"u8.ToArray(), "application/json", "application/json", CancellationToken.None);

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
            Client(retry: retry).InvokeEndpointAsync(Endpoint, "{}"u8.ToArray(), "application/json", "application/json", CancellationToken.None));

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
        await WaitUntilAsync(() => server.Requests.Count == 1);
        await Task.Delay(100);
        Assert.False(call.IsCompleted);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Single(server.Requests);
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
        using var impatient = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        FailThenSucceed(async context => await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted));

        await Client(transport: impatient).InvokeEndpointAsync(Endpoint, "{}"u8.ToArray(), "application/json", "application/json", CancellationToken.None);

        Assert.Equal(2, server.Requests.Count);
        Assert.Single(clock.Waits);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_not_retried()
    {
        var release = new TaskCompletionSource();
        server.Respond = async context =>
        {
            await release.Task;
            await Ok(context);
        };
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        try
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                Client().InvokeEndpointAsync(Endpoint, "{}"u8.ToArray(), "application/json", "application/json", cancellation.Token));
        }
        finally
        {
            release.SetResult();
        }
        Assert.Single(server.Requests);
        Assert.Empty(clock.Waits);
    }

    [Fact]
    public async Task A_body_over_6_MB_is_refused_before_sending()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            Client().InvokeEndpointAsync(Endpoint, new byte[SageMakerRuntimeClient.MaxBodyBytes + 1], "application/octet-stream", "application/json", CancellationToken.None));

        Assert.Equal("body", error.ParamName);
        Assert.Contains("6,291,457 bytes", error.Message);
        Assert.Contains("at most 6,291,456 (6 MB)", error.Message);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task A_body_of_exactly_6_MB_is_sent()
    {
        var body = new byte[SageMakerRuntimeClient.MaxBodyBytes];
        RandomNumberGenerator.Fill(body);

        await Client().InvokeEndpointAsync(Endpoint, body, "application/octet-stream", "application/json", CancellationToken.None);

        Assert.Equal(6_291_456, Assert.Single(server.Requests).Body.Length);
    }

    [Fact]
    public async Task Classify_refuses_texts_that_make_a_body_over_6_MB()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            Client().ClassifyAsync(Endpoint, [new string('a', 3_145_728), new string('b', 3_145_728)], CancellationToken.None));

        Assert.Equal("texts", error.ParamName);
        Assert.Empty(server.Requests);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-sentiment")]
    [InlineData("sentiment-")]
    [InlineData("sentiment_prod")]
    [InlineData("../admin")]
    [InlineData("sentiment prod")]
    [InlineData("sentiment\n")]
    [InlineData("a123456789012345678901234567890123456789012345678901234567890123")]
    public async Task A_bad_endpoint_name_is_refused_before_sending(string name)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            Client().InvokeEndpointAsync(name, "{}"u8.ToArray(), "application/json", "application/json", CancellationToken.None));
        Assert.Empty(server.Requests);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("sentiment--prod-2")]
    [InlineData("a12345678901234567890123456789012345678901234567890123456789012")]
    public async Task Good_endpoint_names_are_accepted(string name)
    {
        server.Respond = context => Ok(context);

        await Client().InvokeEndpointAsync(name, "{}"u8.ToArray(), "application/json", "application/json", CancellationToken.None);

        Assert.Equal($"/endpoints/{name}/invocations", Assert.Single(server.Requests).RawTarget);
    }

    [Fact]
    public void Retry_options_are_checked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new SageMakerRuntimeClient(http, region: "eu-west-1", endpoint: server.Endpoint, retry: new AwsRetryOptions { MaxAttempts = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new SageMakerRuntimeClient(http, region: "eu-west-1", endpoint: server.Endpoint, retry: new AwsRetryOptions { BaseDelay = TimeSpan.FromSeconds(-1) }));
        Assert.Equal(3, AwsRetryOptions.Default.MaxAttempts);
        Assert.Null(AwsRetryOptions.LambdaDeadline()); // outside an invocation
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition());
    }

    /// <summary>
    /// The Authorization SageMaker would compute: the canonical request written out by hand (the path double-encoded, as
    /// for every service but S3), signed by AWSSDK.Core's own <see cref="AWS4Signer.ComputeSignature(string, string, string, DateTime, string, string, string)"/>.
    /// </summary>
    private static string ExpectedAuthorization(StubAwsServer.Captured request, string? token, DateTimeOffset? signingTime = null)
    {
        var time = signingTime ?? Now;
        var signedHeaders = token is null
            ? "accept;content-type;host;x-amz-date"
            : "accept;content-type;host;x-amz-date;x-amz-security-token";
        var canonical =
            $"POST\n{request.RawTarget}\n\n" +
            $"accept:{request.Headers["Accept"]}\n" +
            $"content-type:{request.Headers["Content-Type"]}\n" +
            $"host:{request.Headers["Host"]}\n" +
            $"x-amz-date:{time.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}\n" +
            (token is null ? "" : $"x-amz-security-token:{token}\n") +
            "\n" + signedHeaders + "\n" +
            Convert.ToHexStringLower(SHA256.HashData(request.Body));
        return AWS4Signer.ComputeSignature(AccessKey, SecretKey, "eu-west-1", time.UtcDateTime, "sagemaker", signedHeaders, canonical)
            .ForAuthorizationHeader;
    }
}

/// <summary>The endpoint and credentials come from the environment, as on Lambda.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class SageMakerRuntimeEnvironmentTests
{
    private static readonly string[] Variables =
    [
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION",
        "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    ];

    [Fact]
    public async Task The_endpoint_comes_from_AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME()
    {
        var saved = Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);
        await using var server = await StubAwsServer.StartAsync();
        server.Respond = context => StubAwsServer.Json(context, 200, """[{"label":"NEUTRAL","score":0.6}]""");
        try
        {
            foreach (var name in Variables) Environment.SetEnvironmentVariable(name, null);
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "ASIAENVEXAMPLE");
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "envSecretEXAMPLE");
            Environment.SetEnvironmentVariable("AWS_SESSION_TOKEN", "IQoJb3JpZ2luX2VjEXAMPLE");
            Environment.SetEnvironmentVariable("AWS_REGION", "ap-southeast-2");
            Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL", "http://127.0.0.1:9/"); // must lose to the service-specific one
            Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", server.Endpoint.ToString());

            using var http = new HttpClient();
            var client = new SageMakerRuntimeClient(http, new FixedClock(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero)));
            Assert.Equal("ap-southeast-2", client.Region);
            Assert.Equal(server.Endpoint, client.Endpoint);

            var results = await client.ClassifyAsync("sentiment-local", ["meh"], CancellationToken.None);

            Assert.Equal(new Classification("NEUTRAL", 0.6), Assert.Single(results));
            var request = Assert.Single(server.Requests);
            Assert.Equal("/endpoints/sentiment-local/invocations", request.RawTarget);
            Assert.Equal("IQoJb3JpZ2luX2VjEXAMPLE", request.Headers["X-Amz-Security-Token"]);
            Assert.StartsWith(
                "AWS4-HMAC-SHA256 Credential=ASIAENVEXAMPLE/20240102/ap-southeast-2/sagemaker/aws4_request, " +
                "SignedHeaders=accept;content-type;host;x-amz-date;x-amz-security-token, Signature=",
                request.Headers["Authorization"]);

            Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", null);
            Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL", null);
            Assert.Equal(new Uri("https://runtime.sagemaker.ap-southeast-2.amazonaws.com/"), new SageMakerRuntimeClient(http).Endpoint);
            Assert.Equal(new Uri("https://runtime.sagemaker.cn-north-1.amazonaws.com.cn/"), new SageMakerRuntimeClient(http, region: "cn-north-1").Endpoint);
        }
        finally
        {
            foreach (var (name, value) in saved) Environment.SetEnvironmentVariable(name, value);
        }
    }
}

/// <summary>Inside a Lambda invocation the default deadline is the moment the invocation's token fires.</summary>
[Collection(LambdaEnvironmentCollection.Name)]
public sealed class SageMakerRuntimeLambdaDeadlineTests
{
    [Fact]
    public async Task The_default_deadline_is_the_invocations_cancellation_time()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        api.Enqueue("r-1", "{}", new Dictionary<string, string> { ["Lambda-Runtime-Deadline-Ms"] = "1715680660000" });
        DateTimeOffset? seen = null;
        _ = api.RunAsync((_, _) =>
        {
            seen = AwsRetryOptions.Default.Deadline();
            return Task.FromResult("{}"u8.ToArray());
        });

        await api.NextPostAsync();

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1715680660000) - LambdaBootstrap.DeadlineMargin, seen);
    }
}
