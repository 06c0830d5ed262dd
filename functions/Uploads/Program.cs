using Microsoft.Extensions.Logging;
using Serverless.Kernel.Runtime;
using Serverless.Uploads;

return await LambdaBootstrap.RunAsync(new Dictionary<string, Func<ILoggerFactory, Task<LambdaHandler>>>
{
    [nameof(UploadsApi)] = _ => UploadsApi.CreateHandlerAsync(),
    [nameof(ProcessUpload)] = ProcessUpload.CreateHandlerAsync,
    [nameof(FailStrandedUpload)] = FailStrandedUpload.CreateHandlerAsync,
    [nameof(SweepStrandedUploads)] = SweepStrandedUploads.CreateHandlerAsync,
});
