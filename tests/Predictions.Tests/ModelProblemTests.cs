using System.Net;
using Microsoft.AspNetCore.Http;
using Serverless.Kernel.Aws;

namespace Serverless.Predictions.Tests;

/// <summary>
/// What <c>POST /predictions</c> answers when the model call fails: a problem with a 5xx that says why, never a bare 500.
/// </summary>
public sealed class ModelProblemTests
{
    private readonly HttpResponse response = new DefaultHttpContext().Response;

    [Fact]
    public void A_model_error_is_a_502_with_a_fixed_sentence_and_the_request_id_not_the_model_services_words()
    {
        response.HttpContext.TraceIdentifier = "api-request-1";
        var error = new ModelErrorException(
            "Received client error (400) from primary with message \"bad input\". " +
            "See https://us-east-1.console.aws.amazon.com/cloudwatch/" +
            "home?region=us-east-1#logEventViewer:group=/aws/sagemaker/Endpoints/sentiment in account 123456789012 " +
            "for more information.",
            HttpStatusCode.FailedDependency, "req-1", 400, "bad input", null);

        var problem = CreatePrediction.ModelProblem(error, response)!;

        Assert.Equal(StatusCodes.Status502BadGateway, problem.StatusCode);
        Assert.Equal("The model could not score the texts; try again later. Request id: api-request-1", problem.ProblemDetails.Detail);
        Assert.False(response.Headers.ContainsKey("Retry-After"));
    }

    [Theory]
    [InlineData(429, "ThrottlingException")]
    [InlineData(400, "ThrottlingException")]
    [InlineData(429, "UnknownError")]
    public void Throttling_that_outlasted_the_retries_is_a_503_with_Retry_After(int status, string code)
    {
        var error = new AwsServiceException(code, "Rate exceeded", (HttpStatusCode)status, "req-2");
        var problem = CreatePrediction.ModelProblem(error, response)!;

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, problem.StatusCode);
        Assert.Equal(
            CreatePrediction.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            response.Headers.RetryAfter.ToString());
    }

    [Theory]
    [InlineData(400, "ValidationError")]
    [InlineData(403, "AccessDeniedException")]
    [InlineData(503, "ServiceUnavailable")]
    public void Any_other_service_error_is_a_502_with_the_fixed_sentence(int status, string code)
    {
        response.HttpContext.TraceIdentifier = "api-request-3";
        var error = new AwsServiceException(
            code, "Endpoint sentiment of account 123456789012 not found.", (HttpStatusCode)status, "req-3");
        var problem = CreatePrediction.ModelProblem(error, response)!;

        Assert.Equal(StatusCodes.Status502BadGateway, problem.StatusCode);
        Assert.Equal(CreatePrediction.ModelFailed("api-request-3"), problem.ProblemDetails.Detail);
    }

    [Fact]
    public void An_answer_that_is_not_one_classification_per_text_an_unreachable_endpoint_and_a_timeout_are_5xx()
    {
        var nonsense = new InvalidDataException("answered 1 classifications for 2 texts");
        Assert.Equal(502, CreatePrediction.ModelProblem(nonsense, response)!.StatusCode);
        Assert.Equal(502, CreatePrediction.ModelProblem(new HttpRequestException("refused"), response)!.StatusCode);
        Assert.Equal(504, CreatePrediction.ModelProblem(new TaskCanceledException(), response)!.StatusCode);
    }

    [Fact]
    public void A_failure_that_is_not_the_models_is_not_turned_into_a_model_problem() =>
        Assert.Null(CreatePrediction.ModelProblem(new InvalidOperationException("bug"), response));
}
