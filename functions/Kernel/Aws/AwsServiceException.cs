using System.Net;

namespace Serverless.Kernel.Aws;

/// <summary>
/// An error answer from an AWS service: <see cref="ErrorCode"/> is the bare shape name
/// (<c>UserNotFoundException</c>), without the namespace before '#' or the URL after ':'. A service-specific
/// error with fields of its own derives from it (<see cref="ModelErrorException"/>).
/// </summary>
public class AwsServiceException(string errorCode, string message, HttpStatusCode statusCode, string? requestId)
    : Exception(message)
{
    /// <summary>The code given when the service named none.</summary>
    public const string UnknownErrorCode = "UnknownError";

    public string ErrorCode { get; } = errorCode;

    public HttpStatusCode StatusCode { get; } = statusCode;

    /// <summary>The <c>x-amzn-RequestId</c> header, the one AWS support asks for.</summary>
    public string? RequestId { get; } = requestId;

    public override string ToString() =>
        $"{GetType().Name}: {ErrorCode} ({(int)StatusCode}, request {RequestId ?? "-"}): {Message}";
}
