using Microsoft.Extensions.Logging;
using Serverless.Kernel.AspNetCore;
using Serverless.Kernel.Runtime;
using Serverless.Predictions;

return await LambdaBootstrap.RunAsync(new Dictionary<string, Func<ILoggerFactory, Task<LambdaHandler>>>
{
    [nameof(PredictionsApi)] = LambdaHttpApi.Handler(PredictionsApi.Build),
});
