using Microsoft.Extensions.Logging;
using Serverless.Kernel.AspNetCore;
using Serverless.Kernel.Runtime;
using Serverless.Usage;

return await LambdaBootstrap.RunAsync(new Dictionary<string, Func<ILoggerFactory, Task<LambdaHandler>>>
{
    [nameof(UsageApi)] = LambdaHttpApi.Handler(UsageApi.Build),
    [nameof(MeterUsage)] = ReactiveFunctions.Handler<MeterUsage>(MeterUsage.AddServices),
});
