using Microsoft.Extensions.Logging;
using Serverless.Kernel.AspNetCore;
using Serverless.Kernel.Runtime;
using Serverless.Uploads;

return await LambdaBootstrap.RunAsync(new Dictionary<string, Func<ILoggerFactory, Task<LambdaHandler>>>
{
    [nameof(UploadsApi)] = LambdaHttpApi.Handler(UploadsApi.Build),
    [nameof(ProcessUpload)] = ReactiveFunctions.Handler<ProcessUpload>(ProcessUpload.AddServices),
    [nameof(FailStrandedUpload)] = ReactiveFunctions.Handler<FailStrandedUpload>(FailStrandedUpload.AddServices),
    [nameof(SweepStrandedUploads)] = ReactiveFunctions.Handler<SweepStrandedUploads>(SweepStrandedUploads.AddServices),
});
