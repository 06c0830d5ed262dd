namespace Serverless.Kernel.Metrics;

/// <summary>
/// The suite's metrics (namespace <see cref="Runtime.LambdaContext.MetricsNamespace"/>, dimension <c>Service</c>), named
/// once: the template's dashboard and alarms name them too (docs/ARCHITECTURE.md, Metrics).
/// </summary>
public static class MetricNames
{
    /// <summary>Texts a <c>POST /predictions</c> classified (Count).</summary>
    public const string TextsClassified = "TextsClassified";

    /// <summary>Upload rows the model scored, and rows that failed (unreadable, or no text), per batch (Count).</summary>
    public const string RowsScored = "RowsScored";

    /// <inheritdoc cref="RowsScored"/>
    public const string RowsFailed = "RowsFailed";

    /// <summary>Uploads that ended COMPLETED, or FAILED, in whichever function ended them (Count).</summary>
    public const string UploadsCompleted = "UploadsCompleted";

    /// <inheritdoc cref="UploadsCompleted"/>
    public const string UploadsFailed = "UploadsFailed";

    /// <summary>The time of each InvokeEndpoint call the model answered (Milliseconds).</summary>
    public const string ModelLatency = "ModelLatency";

    /// <summary>InvokeEndpoint answers that were the model's failure (<c>ModelError</c>) or a 5xx (Count).</summary>
    public const string ModelErrors = "ModelErrors";

    /// <summary>InvokeEndpoint answers that were throttling (Count).</summary>
    public const string ModelThrottles = "ModelThrottles";

    /// <summary>Work refused at the monthly quota: a 429 of <c>POST /predictions</c> or <c>POST /uploads</c>, or an upload's
    /// scoring stopped at it (Count).</summary>
    public const string QuotaRefusals = "QuotaRefusals";

    /// <summary>How long after its stream record was written MeterUsage settled a usage change (Milliseconds).</summary>
    public const string MeteringLag = "MeteringLag";

    /// <summary>The first invocation of a function instance, with dimensions <c>function_name</c> and <c>Service</c> (Count).</summary>
    public const string ColdStart = "ColdStart";
}
