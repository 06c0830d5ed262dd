using System.Net;

namespace Serverless.Kernel.Aws;

/// <summary>
/// SageMaker Runtime's <c>ModelError</c> (HTTP 424): the model container answered a 4xx or 5xx. <see cref="Exception.Message"/>
/// is SageMaker's <c>Message</c>; the container's own answer is <see cref="OriginalStatusCode"/> and <see cref="OriginalMessage"/>.
/// Never retried: the same payload would fail the same way.
/// </summary>
public sealed class ModelErrorException(
    string message, HttpStatusCode statusCode, string? requestId, int? originalStatusCode, string? originalMessage, string? logStreamArn)
    : AwsServiceException(Code, message, statusCode, requestId)
{
    /// <summary>The error code SageMaker Runtime sends in <c>x-amzn-ErrorType</c>.</summary>
    public const string Code = "ModelError";

    /// <summary>The HTTP status the model container answered with.</summary>
    public int? OriginalStatusCode { get; } = originalStatusCode;

    /// <summary>The model container's answer body (for the Hugging Face toolkit, its error text).</summary>
    public string? OriginalMessage { get; } = originalMessage;

    /// <summary>The CloudWatch log stream of the container that failed.</summary>
    public string? LogStreamArn { get; } = logStreamArn;

    public override string ToString()
    {
        var status = OriginalStatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-";
        return base.ToString() + $" [container {status}: {OriginalMessage ?? "-"}]";
    }
}
