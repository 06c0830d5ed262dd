using Microsoft.Extensions.Logging;
using Serverless.Kernel.Runtime;
using Serverless.Uploads;

return await LambdaBootstrap.RunAsync(new Dictionary<string, Func<ILoggerFactory, Task<LambdaHandler>>>
{
    [nameof(UploadsApi)] = _ => UploadsApi.CreateHandlerAsync(),
    [nameof(ProcessUpload)] = ReactiveFunctions.Handler<ProcessUpload>(ProcessUpload.AddServices),
    [nameof(FailStrandedUpload)] = ReactiveFunctions.Handler<FailStrandedUpload>(FailStrandedUpload.AddServices),
    [nameof(SweepStrandedUploads)] = ReactiveFunctions.Handler<SweepStrandedUploads>(SweepStrandedUploads.AddServices),
});
