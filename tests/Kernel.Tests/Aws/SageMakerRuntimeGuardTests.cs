using System.Security.Cryptography;
using Serverless.Kernel.Aws;

namespace Serverless.Kernel.Tests.Aws;

/// <summary>What is refused before anything is sent.</summary>
public sealed class SageMakerRuntimeGuardTests : SageMakerRuntimeClientTestBase
{
    [Fact]
    public async Task A_body_over_6_MB_is_refused_before_sending()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            Client().InvokeEndpointAsync(Endpoint, new byte[SageMakerRuntimeClient.MaxBodyBytes + 1],
                "application/octet-stream", "application/json", CancellationToken.None));

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
            new SageMakerRuntimeClient(http, region: "eu-west-1", endpoint: server.Endpoint,
                retry: new AwsRetryOptions { MaxAttempts = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new SageMakerRuntimeClient(http, region: "eu-west-1", endpoint: server.Endpoint,
                retry: new AwsRetryOptions { BaseDelay = TimeSpan.FromSeconds(-1) }));
        Assert.Equal(3, AwsRetryOptions.Default.MaxAttempts);
        Assert.Null(AwsRetryOptions.LambdaDeadline()); // outside an invocation
    }
}
