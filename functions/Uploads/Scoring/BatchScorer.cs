using System.Globalization;
using Serverless.Kernel.Aws;

namespace Serverless.Uploads.Scoring;

/// <summary>
/// Scores a batch's texts on the SageMaker endpoint (the kernel client retries throttling and 5xx within the deadline).
/// A failure that retrying could not fix becomes a <see cref="ScoringException"/> naming the rows, with what the model
/// service said for the log.
/// </summary>
public sealed class BatchScorer(SageMakerRuntimeClient model, string endpointName)
{
    public async Task<IReadOnlyList<Classification>> ScoreAsync(Batch batch, CancellationToken cancellationToken)
    {
        if (batch.Texts.Count == 0) return [];
        try
        {
            return await model.ClassifyAsync(endpointName, batch.Texts, cancellationToken);
        }
        catch (ModelErrorException error)
        {
            var status = error.OriginalStatusCode?.ToString(CultureInfo.InvariantCulture) ?? "no status";
            throw Failure(batch, $"the model failed ({status}): {error.OriginalMessage ?? error.Message}", error);
        }
        catch (AwsServiceException error)
        {
            throw Failure(batch, $"endpoint {endpointName} answered {(int)error.StatusCode} {error.ErrorCode}: {error.Message}", error);
        }
        catch (InvalidDataException error)
        {
            throw Failure(batch, error.Message, error);
        }
        catch (Exception error) when (error is HttpRequestException or IOException
            || (error is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw Failure(batch, $"endpoint {endpointName} did not answer ({error.Message})", error);
        }
    }

    private static ScoringException Failure(Batch batch, string reason, Exception inner)
    {
        var scored = batch.Rows.Where(row => row.Text is not null).Select(row => row.Number).ToList();
        var rows = scored.Count == 1
            ? $"row {scored[0].ToString(CultureInfo.InvariantCulture)}"
            : $"rows {scored[0].ToString(CultureInfo.InvariantCulture)}-{scored[^1].ToString(CultureInfo.InvariantCulture)}";
        return new ScoringException(rows, reason, inner);
    }
}

/// <summary>
/// The model could not score a batch, even after retrying. <see cref="Exception.Message"/> holds the model service's
/// words, which name the account, log group and endpoint: for the log only. <see cref="Reason"/> is the upload's FAILED
/// reason: the rows and the request id of the invocation whose log line holds the rest.
/// </summary>
public sealed class ScoringException(string rows, string reason, Exception inner)
    : Exception($"The model could not score {rows}: {reason}", inner)
{
    public string Reason(string requestId) => $"The model could not score {rows}; try again later. Request id: {requestId}";
}
