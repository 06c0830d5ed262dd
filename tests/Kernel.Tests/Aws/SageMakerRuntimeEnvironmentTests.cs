using Serverless.Kernel.Aws;
using Serverless.Kernel.Runtime;
using Serverless.Kernel.Tests.Runtime;

namespace Serverless.Kernel.Tests.Aws;

/// <summary>The endpoint and credentials come from the environment, as on Lambda.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class SageMakerRuntimeEnvironmentTests
{
    [Fact]
    public async Task The_endpoint_comes_from_AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME()
    {
        await using var server = await StubAwsServer.StartAsync();
        using var environment = EnvironmentScope.LambdaStyle("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", server.Endpoint);
        server.Respond = context => StubAwsServer.Json(context, 200, """[{"label":"NEUTRAL","score":0.6}]""");

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
        Assert.Equal(new Uri("https://runtime.sagemaker.cn-north-1.amazonaws.com.cn/"),
            new SageMakerRuntimeClient(http, region: "cn-north-1").Endpoint);
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
