using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Kernel.Runtime;
using Serverless.ServiceDefaults;
using Serverless.Usage;

var reactive = new ReactiveFunctions(services => services.AddFunctionDefaults()
    .AddSingleton(_ => Plan.FromEnvironment())
    .AddSingleton<UsageLedger>());

return await LambdaBootstrap.RunAsync(new Dictionary<string, Func<ILoggerFactory, Task<LambdaHandler>>>
{
    [nameof(UsageApi)] = _ => UsageApi.CreateHandlerAsync(),
    [nameof(MeterUsage)] = reactive.Handler<MeterUsage>,
});
