using Serverless.Kernel.Aws;
using Serverless.Kernel.Metrics;
using Serverless.TestUtilities;

namespace Serverless.Kernel.Tests.Aws;

/// <summary>Each InvokeEndpoint attempt adds to the invocation's metrics: latency when answered, errors and throttles.</summary>
public sealed class SageMakerRuntimeMetricsTests : SageMakerRuntimeClientTestBase
{
    private readonly TestLambdaContext invocation = new();

    private Task<byte[]> InvokeAsync() => invocation.RunAsync(_ => Client().InvokeEndpointAsync(
        Endpoint, "{}"u8.ToArray(), "application/json", "application/json", CancellationToken.None));

    [Fact]
    public async Task A_throttled_then_failing_then_answered_call_adds_one_of_each()
    {
        FailThenSucceed(
            context => Error(context, 429, "ThrottlingException", """{"message":"Rate exceeded"}"""),
            context => Error(context, 503, "ServiceUnavailable", """{"Message":"Try again."}"""));

        await InvokeAsync();

        var metrics = invocation.FlushMetrics();
        Assert.Equal([1.0], metrics.Values(MetricNames.ModelThrottles));
        Assert.Equal([1.0], metrics.Values(MetricNames.ModelErrors));
        Assert.Single(metrics.Values(MetricNames.ModelLatency));
        var unit = metrics.Single().GetProperty("_aws").GetProperty("CloudWatchMetrics")[0].GetProperty("Metrics").EnumerateArray()
            .Single(m => m.GetProperty("Name").GetString() == MetricNames.ModelLatency).GetProperty("Unit").GetString();
        Assert.Equal("Milliseconds", unit);
    }

    [Fact]
    public async Task A_model_error_is_a_model_error_and_no_latency()
    {
        server.Respond = context => Error(context, 424, "ModelError",
            """{"OriginalStatusCode":500,"OriginalMessage":"boom","Message":"Received server error (500) from model"}""");

        await Assert.ThrowsAsync<ModelErrorException>(InvokeAsync);

        var metrics = invocation.FlushMetrics();
        Assert.Equal([1.0], metrics.Values(MetricNames.ModelErrors));
        Assert.Empty(metrics.Values(MetricNames.ModelThrottles));
        Assert.Empty(metrics.Values(MetricNames.ModelLatency));
    }

    [Fact]
    public async Task A_client_error_is_neither_an_error_of_the_model_nor_a_throttle()
    {
        server.Respond = context => Error(context, 400, "ValidationError", """{"Message":"Bad input"}""");

        await Assert.ThrowsAsync<AwsServiceException>(InvokeAsync);

        Assert.Empty(invocation.FlushMetrics());
    }
}
