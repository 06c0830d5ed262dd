using Microsoft.Extensions.Logging;
using Serverless.Kernel.AspNetCore;
using Serverless.Kernel.Runtime;
using Serverless.Profile;

return await LambdaBootstrap.RunAsync(new Dictionary<string, Func<ILoggerFactory, Task<LambdaHandler>>>
{
    [nameof(ProfileApi)] = LambdaHttpApi.Handler(ProfileApi.Build),
    [nameof(CreateProfile)] = ReactiveFunctions.Handler<CreateProfile>(CreateProfile.AddServices),
    [nameof(PurgeAccount)] = ReactiveFunctions.Handler<PurgeAccount>(PurgeAccount.AddServices),
});
