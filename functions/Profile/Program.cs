using Microsoft.Extensions.Logging;
using Serverless.Kernel.Runtime;
using Serverless.Profile;

return await LambdaBootstrap.RunAsync(new Dictionary<string, Func<ILoggerFactory, Task<LambdaHandler>>>
{
    [nameof(ProfileApi)] = _ => ProfileApi.CreateHandlerAsync(),
    [nameof(CreateProfile)] = CreateProfile.CreateHandlerAsync,
    [nameof(PurgeAccount)] = PurgeAccount.CreateHandlerAsync,
});
