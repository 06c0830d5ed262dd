using System.Net;
using Serverless.Kernel.Aws;

namespace Serverless.Kernel.Tests.Aws;

/// <summary>Failures that are final: ModelError and the other client errors.</summary>
public sealed class SageMakerRuntimeErrorTests : SageMakerRuntimeClientTestBase
{
    [Fact]
    public async Task A_model_error_is_not_retried_and_keeps_the_containers_answer()
    {
        const string logStream = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/Endpoints/sentiment-prod";
        const string original = """{\"code\":400,\"type\":\"InternalServerException\",\"message\":\"text input must be of type str\"}""";
        server.Respond = context => Error(context, 424, "ModelError:http://internal.amazon.com/coral/com.amazon.sagemaker/", $$"""
            {"ErrorCode":"CLIENT_ERROR_FROM_MODEL","LogStreamArn":"{{logStream}}",
             "Message":"Received client error (400) from primary with message \"{{original}}\". See the log stream for more information.",
             "OriginalMessage":"{{original}}",
             "OriginalStatusCode":400}
            """);

        var error = await Assert.ThrowsAsync<ModelErrorException>(() => Client().InvokeEndpointAsync(
            Endpoint, """{"inputs":[1]}"""u8.ToArray(), "application/json", "application/json", CancellationToken.None));

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
    [InlineData(400, "ValidationError", """{"Message":"Endpoint sentiment-prod of account 123456789012 not found."}""",
        "Endpoint sentiment-prod of account 123456789012 not found.")]
    [InlineData(403, "AccessDeniedException", """{"Message":"not authorized to perform: sagemaker:InvokeEndpoint"}""",
        "not authorized to perform: sagemaker:InvokeEndpoint")]
    [InlineData(404, "UnknownOperationException", "{}", "404 Not Found")]
    [InlineData(413, "", """{"message":"HTTP content length exceeded 6291456 bytes."}""", "HTTP content length exceeded 6291456 bytes.")]
    [InlineData(501, "NotImplemented", """{"Message":"no"}""", "no")]
    public async Task Other_client_errors_are_final(int status, string errorType, string body, string message)
    {
        server.Respond = context => errorType.Length == 0 ? StubAwsServer.Json(context, status, body)
            : Error(context, status, errorType, body);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            Client().InvokeEndpointAsync(Endpoint, "{}"u8.ToArray(), "application/json", "application/json", CancellationToken.None));

        Assert.IsNotType<ModelErrorException>(error);
        Assert.Single(server.Requests);
        Assert.Equal(status, (int)error.StatusCode);
        Assert.Equal(errorType.Length == 0 ? AwsServiceException.UnknownErrorCode : errorType, error.ErrorCode);
        Assert.Equal(message, error.Message);
    }
}
