using System.Net;
using System.Text;
using Amazon.Runtime;
using Serverless.Kernel.Aws;

namespace Serverless.Kernel.Tests.Aws;

public sealed class LambdaClientTests : StubAwsServerTestBase
{
    private LambdaClient Client() =>
        new(http, new FixedClock(Now), new BasicAWSCredentials("AKIDEXAMPLE", "secret"), "eu-west-1", server.Endpoint);

    [Fact]
    public async Task An_event_invocation_posts_the_payload_signed_for_lambda_with_the_Event_invocation_type()
    {
        server.Respond = context => { context.Response.StatusCode = 202; return Task.CompletedTask; };

        await Client().InvokeEventAsync("serverless-ProcessUpload", """{"continueUpload":{}}"""u8.ToArray(), CancellationToken.None);

        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/2015-03-31/functions/serverless-ProcessUpload/invocations", request.RawTarget);
        Assert.Equal("Event", request.Headers["X-Amz-Invocation-Type"]);
        Assert.Equal("""{"continueUpload":{}}""", Encoding.UTF8.GetString(request.Body));
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/eu-west-1/lambda/aws4_request, " +
            "SignedHeaders=content-type;host;x-amz-date;x-amz-invocation-type, ", request.Headers["Authorization"]);
    }

    [Fact]
    public async Task An_ARN_is_escaped_into_the_path()
    {
        server.Respond = context => { context.Response.StatusCode = 202; return Task.CompletedTask; };

        await Client().InvokeEventAsync("arn:aws:lambda:eu-west-1:123456789012:function:f", "{}"u8.ToArray(), CancellationToken.None);

        Assert.Equal("/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Af/invocations",
            Assert.Single(server.Requests).RawTarget);
    }

    [Fact]
    public async Task A_refusal_is_an_AwsServiceException_with_Lambdas_error_type()
    {
        server.Respond = context => StubAwsServer.Json(context, 404,
            """{"Type":"User","message":"Function not found: arn:aws:lambda:eu-west-1:123456789012:function:missing"}""",
            ("x-amzn-ErrorType", "ResourceNotFoundException"), ("x-amzn-RequestId", "req-1"));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            Client().InvokeEventAsync("missing", "{}"u8.ToArray(), CancellationToken.None));

        Assert.Equal("ResourceNotFoundException", error.ErrorCode);
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.StartsWith("Function not found", error.Message);
    }

    [Fact]
    public async Task A_payload_over_256_KB_is_refused_before_sending()
    {
        await Assert.ThrowsAsync<ArgumentException>(() =>
            Client().InvokeEventAsync("f", new byte[LambdaClient.MaxEventPayloadBytes + 1], CancellationToken.None));

        Assert.Empty(server.Requests);
    }
}
