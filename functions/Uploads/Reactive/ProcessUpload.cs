using Microsoft.Extensions.Logging;
using Serverless.Kernel.Runtime;

namespace Serverless.Uploads;

/// <summary>S3 <c>ObjectCreated</c> under <c>uploads/</c>: scores every row of the uploaded file.</summary>
public static class ProcessUpload
{
    public static Task<LambdaHandler> CreateHandlerAsync(ILoggerFactory loggers) =>
        throw new NotImplementedException("ProcessUpload is being built (issue 3).");
}
