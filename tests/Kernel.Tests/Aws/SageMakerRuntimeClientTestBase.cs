using System.Security.Cryptography;
using Amazon.Runtime.Internal.Auth;
using Microsoft.AspNetCore.Http;
using Serverless.Kernel.Aws;

namespace Serverless.Kernel.Tests.Aws;

/// <summary>A client against a stub SageMaker Runtime on 127.0.0.1, on a clock that never really sleeps.</summary>
public abstract class SageMakerRuntimeClientTestBase : StubAwsServerTestBase
{
    private protected const string Endpoint = "sentiment-prod";

    private protected readonly SleeplessClock clock = new(Now);

    /// <summary>Waits of exactly half their cap (0.5 s, 1 s, 2 s, ...), no deadline unless given.</summary>
    private protected SageMakerRuntimeClient Client(string? token = null, AwsRetryOptions? retry = null, HttpClient? transport = null) =>
        new(transport ?? http, clock, Credentials(token), region: "eu-west-1", endpoint: server.Endpoint,
            retry: retry ?? new AwsRetryOptions { Random = new FixedRandom(0.5), Deadline = () => null });

    private protected static Task Error(HttpContext context, int status, string errorType, string body) =>
        StubAwsServer.Json(context, status, body, ("x-amzn-RequestId", "req-" + status), ("x-amzn-ErrorType", errorType));

    private protected static Task Ok(HttpContext context, string body = """[{"label":"POSITIVE","score":0.98}]""") =>
        StubAwsServer.Json(context, 200, body);

    /// <summary>Answers the given failures in turn, then 200.</summary>
    private protected void FailThenSucceed(params Func<HttpContext, Task>[] failures)
    {
        var calls = 0;
        server.Respond = context =>
        {
            var call = Interlocked.Increment(ref calls) - 1;
            return call < failures.Length ? failures[call](context) : Ok(context);
        };
    }


    /// <summary>Waits for <paramref name="condition"/>, a minute at most.</summary>
    private protected static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 6000 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition());
    }

    /// <summary>
    /// The Authorization SageMaker would compute: the canonical request written out by hand (the path double-encoded, as
    /// for every service but S3), signed by AWSSDK.Core's own
    /// <see cref="AWS4Signer.ComputeSignature(string, string, string, DateTime, string, string, string)"/>.
    /// </summary>
    private protected static string ExpectedAuthorization(StubAwsServer.Captured request, string? token, DateTimeOffset? signingTime = null)
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
