using System.Globalization;
using Serverless.ServiceDefaults;
using Serverless.Uploads.Scoring;

namespace Serverless.Uploads.Processing;

/// <summary>
/// ProcessUpload's configuration, from the function's environment (<c>BUCKET_NAME</c>, <c>MODEL_ENDPOINT_NAME</c>,
/// <c>MAX_UPLOAD_BYTES</c>, <c>MAX_UPLOAD_ROWS</c>, <c>PROCESS_UPLOAD_FUNCTION</c>, <c>MODEL_MAX_CONCURRENCY</c>) and its
/// fixed tuning.
/// </summary>
/// <param name="FunctionName">The function itself (its live alias: <c>name:live</c>), invoked again to continue an upload.</param>
/// <param name="MaxInFlight">Batches being scored at once (<see cref="MostInFlight"/>, or fewer when the endpoint serves fewer
/// at once); results are still written in row order.</param>
/// <param name="ProgressIntervalSeconds">How often the item's counts are updated while rows are scored.</param>
/// <param name="MaxSafetyMarginSeconds">An invocation stops taking new batches this long before its deadline (at most), or ...</param>
/// <param name="SafetyFraction">... this fraction of its whole time, when that is less: the time to finish in-flight batches and
/// hand on.</param>
/// <param name="HeartbeatIntervalSeconds">How often an invocation renews the heartbeat of the upload it holds (the sweeper's
/// threshold, template.yaml's <c>STRANDED_AFTER_SECONDS</c>, must be several of these).</param>
public sealed record ProcessUploadSettings(
    string Bucket,
    string EndpointName,
    long MaxUploadBytes,
    long MaxUploadRows,
    string FunctionName,
    BatchLimits Limits,
    int MaxInFlight = ProcessUploadSettings.MostInFlight,
    double ProgressIntervalSeconds = 2,
    double MaxSafetyMarginSeconds = 30,
    double SafetyFraction = 0.25,
    double HeartbeatIntervalSeconds = 120)
{
    public static ProcessUploadSettings FromEnvironment() => new(
        FunctionEnvironment.Required("BUCKET_NAME"),
        FunctionEnvironment.Required("MODEL_ENDPOINT_NAME"),
        long.Parse(FunctionEnvironment.Required("MAX_UPLOAD_BYTES"), CultureInfo.InvariantCulture),
        long.Parse(FunctionEnvironment.Required("MAX_UPLOAD_ROWS"), CultureInfo.InvariantCulture),
        FunctionEnvironment.Required("PROCESS_UPLOAD_FUNCTION"),
        BatchLimits.Default,
        Math.Min(MostInFlight, int.Parse(FunctionEnvironment.Required("MODEL_MAX_CONCURRENCY"), CultureInfo.InvariantCulture)));

    /// <summary>
    /// The most calls an upload keeps in flight, as before: the upload bench's sweep of the model server alone (1, 2, 4, 8)
    /// was too noisy on a shared two-core machine to move it; more would take the endpoint's concurrency from other uploads
    /// and POST /predictions.
    /// </summary>
    public const int MostInFlight = 4;

    /// <summary>
    /// How long before the deadline to stop taking new batches, for an invocation with <paramref name="budget"/> left at
    /// its start.
    /// </summary>
    public TimeSpan SafetyMargin(TimeSpan budget) =>
        TimeSpan.FromSeconds(Math.Min(MaxSafetyMarginSeconds, budget.TotalSeconds * SafetyFraction));
}
