using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Serverless.Kernel.Aws;
using Serverless.Kernel.Metrics;
using Serverless.Metering;
using Serverless.ServiceDefaults;

namespace Serverless.Predictions;

/// <summary>What <c>POST /predictions</c> takes: the texts to classify.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record NewPrediction(IReadOnlyList<string?>? Texts);

/// <summary>One text with the label and score the model gave it.</summary>
public sealed record TextPrediction(string Text, string Label, double Score);

/// <summary>What <c>POST /predictions</c> answers: one result per text, in order.</summary>
public sealed record CreatedPrediction(string PredictionId, DateTimeOffset CreatedAt, IReadOnlyList<TextPrediction> Results);

/// <summary>
/// <c>POST /predictions</c>: classifies 1..32 texts on the SageMaker endpoint at once, records the call in the history and
/// answers 201 with the results. 400 names each bad field; 429 with <c>Retry-After</c> when the texts cannot be
/// reserved within the plan's monthly quota; the model's failures are 502 (it failed or answered nonsense),
/// 503 with <c>Retry-After</c> (still throttled after the client's retries) or 504 (no answer in time), never a bare 500.
/// </summary>
public static class CreatePrediction
{
    public const int MaxTexts = 32;
    public const int MaxTextLength = 5_000;

    /// <summary>What a throttled caller is told to wait, in seconds.</summary>
    public const int RetryAfterSeconds = 5;

    public static RouteHandlerBuilder MapCreatePrediction(this RouteGroupBuilder predictions) =>
        predictions.MapPost("", HandleAsync).WithName(nameof(CreatePrediction));

    public static async Task<Results<Created<CreatedPrediction>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        NewPrediction request, ClaimsPrincipal user, Predictions predictions, SageMakerRuntimeClient model, PredictionsApiSettings settings,
        UsageLedger ledger, Quota quota, TimeProvider time, HttpResponse response, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var errors = Validate(request);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var texts = request.Texts!.Select(text => text!).ToList();
        var logger = loggers.CreateLogger(typeof(CreatePrediction));
        var sub = user.Sub();
        var now = time.GetUtcNow();
        var createdAt = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
        var predictionId = Guid.CreateVersion7(createdAt).ToString("N");
        // The texts are reserved before the model sees them; MeterUsage settles the hold when the saved item comes by.
        var month = UsageItem.Month(createdAt);
        var hold = UsageLedger.PredictionSource(predictionId);
        if (await ledger.ReserveAsync(sub, month, hold, texts.Count, texts.Count, cancellationToken) == 0)
        {
            var check = await quota.CheckAsync(sub, texts.Count, cancellationToken);
            logger.LogWarning("Refused {Texts} texts of {UserSub}: {Remaining} of the monthly quota left",
                texts.Count, sub, check.Remaining);
            return Quota.TooManyRequests(response, check);
        }

        IReadOnlyList<Classification> classifications;
        try
        {
            classifications = await model.ClassifyAsync(settings.ModelEndpointName, texts, cancellationToken);
        }
        catch (Exception error)
        {
            // Nothing was classified: the texts go back, even when the client left (they must not stay held).
            await ledger.SettleAsync(new UsageSettlement(sub, month, hold, 0, 0, 0, 0), CancellationToken.None);
            var problem = ModelProblem(error, response);
            if (problem is null) throw;
            logger.LogWarning(error, "The model endpoint {EndpointName} failed {Texts} texts (request {ApiRequestId}): {Status} {Reason}",
                settings.ModelEndpointName, texts.Count, response.HttpContext.TraceIdentifier, problem.StatusCode, error.Message);
            return problem;
        }

        await predictions.SaveAsync(sub, predictionId, createdAt, month, classifications, cancellationToken);
        Metric.Add(MetricNames.TextsClassified, texts.Count);
        logger.LogInformation("Prediction {PredictionId} for {UserSub}: {Texts} texts", predictionId, sub, texts.Count);
        return TypedResults.Created((string?)null, new CreatedPrediction(predictionId, createdAt,
            texts.Select((text, i) => new TextPrediction(text, classifications[i].Label, classifications[i].Score)).ToList()));
    }

    /// <summary>The problems with <paramref name="request"/>, by field (<c>texts</c>, <c>texts[i]</c>).</summary>
    public static Dictionary<string, string[]> Validate(NewPrediction request)
    {
        var errors = new Dictionary<string, string[]>();
        var texts = request.Texts ?? [];
        if (texts.Count is 0 or > MaxTexts)
            errors["texts"] = [$"Give 1 to {MaxTexts} texts; this request has {texts.Count}."];
        for (var i = 0; i < texts.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(texts[i]))
                errors[$"texts[{i}]"] = ["The text must not be empty or blank."];
            else if (texts[i]!.Length > MaxTextLength)
                errors[$"texts[{i}]"] = [string.Create(CultureInfo.InvariantCulture,
                    $"The text must be at most {MaxTextLength:N0} characters; it has {texts[i]!.Length:N0}.")];
        }
        return errors;
    }

    /// <summary>
    /// The answer for a failed model call, or null for a failure that is not the model's (it propagates). What the model
    /// service said (its text names the account, log group and endpoint) goes to the log only: the client gets a fixed
    /// sentence with the request id that finds the log line.
    /// </summary>
    public static ProblemHttpResult? ModelProblem(Exception error, HttpResponse response)
    {
        switch (error)
        {
            case AwsServiceException throttled when SageMakerRuntimeClient.IsThrottling(throttled):
                response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                return Problem(StatusCodes.Status503ServiceUnavailable, $"The model is busy; try again in {RetryAfterSeconds} seconds.");
            case AwsServiceException or InvalidDataException:
                return Problem(StatusCodes.Status502BadGateway, ModelFailed(response.HttpContext.TraceIdentifier));
            case HttpRequestException or IOException:
                return Problem(StatusCodes.Status502BadGateway, "The model endpoint could not be reached.");
            case OperationCanceledException:
                return Problem(StatusCodes.Status504GatewayTimeout, "The model did not answer in time.");
            default:
                return null;
        }
    }

    /// <summary>What a client is told when the model failed or answered nonsense.</summary>
    public static string ModelFailed(string requestId) => $"The model could not score the texts; try again later. Request id: {requestId}";

    private static ProblemHttpResult Problem(int status, string detail) => TypedResults.Problem(statusCode: status, detail: detail);
}
