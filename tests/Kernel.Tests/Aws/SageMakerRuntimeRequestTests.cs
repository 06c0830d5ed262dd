using System.Text;
using Microsoft.AspNetCore.Http;
using Serverless.Kernel.Aws;

namespace Serverless.Kernel.Tests.Aws;

/// <summary>What InvokeEndpoint sends and how answers are read.</summary>
public sealed class SageMakerRuntimeRequestTests : SageMakerRuntimeClientTestBase
{
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

        var answer = await Client().InvokeEndpointAsync(Endpoint, body, "text/csv",
            "text/csv; q=0.9, application/json", CancellationToken.None);

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

        await Client(token: "FwoGZXIvYXdzEXAMPLETOKEN").InvokeEndpointAsync(Endpoint, "{}"u8.ToArray(),
            "application/json", "application/json", CancellationToken.None);

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

    [Fact]
    public async Task Classify_reads_a_models_lower_case_labels_in_upper_case()
    {
        server.Respond = context => Ok(context, """[{"label":"positive","score":0.9},{"label":"neutral","score":0.6}]""");

        var results = await Client().ClassifyAsync(Endpoint, ["I love it", "It is a Tuesday"], CancellationToken.None);

        Assert.Equal([new Classification("POSITIVE", 0.9), new Classification("NEUTRAL", 0.6)], results);
    }

    [Theory]
    [InlineData("""[{"label":"POSITIVE","score":0.9}]""", "answered 1 classifications for 2 texts")]
    [InlineData("""[{"label":"POSITIVE","score":0.9},{"label":"NEGATIVE","score":0.8},{"label":"NEUTRAL","score":0.7}]""",
        "answered 3 classifications for 2 texts")]
    [InlineData("null", "answered null for 2 texts")]
    [InlineData("""[{"label":"POSITIVE","score":0.9},{"score":0.8}]""", "did not answer a JSON array")]
    [InlineData("""[{"label":"POSITIVE","score":0.9},{"label":null,"score":0.8}]""", "did not answer a JSON array")]
    [InlineData("""{"label":"POSITIVE","score":0.9}""", "did not answer a JSON array")]
    [InlineData("""[[{"label":"POSITIVE","score":0.9}],[{"label":"NEGATIVE","score":0.8}]]""", "did not answer a JSON array")]
    public async Task Classify_refuses_an_answer_that_is_not_one_classification_per_text(string answer, string message)
    {
        server.Respond = context => Ok(context, answer);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            Client().ClassifyAsync(Endpoint, ["a", "b"], CancellationToken.None));

        Assert.Contains(message, error.Message);
        Assert.Contains(Endpoint, error.Message);
    }
}
