using Microsoft.Extensions.Logging;
using Serverless.Kernel.Runtime;
using Serverless.Usage;

return await LambdaBootstrap.RunAsync(new Dictionary<string, Func<ILoggerFactory, Task<LambdaHandler>>>
{
    [nameof(UsageApi)] = _ => UsageApi.CreateHandlerAsync(),
    [nameof(MeterUsage)] = ReactiveFunctions.Handler<MeterUsage>(MeterUsage.AddServices),
});
