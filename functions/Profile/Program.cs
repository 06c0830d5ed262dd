using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Kernel.Aws;
using Serverless.Kernel.Runtime;
using Serverless.Profile;
using Serverless.ServiceDefaults;

var reactive = new ReactiveFunctions(services => services.AddFunctionDefaults()
    .AddSingleton<Profiles>()
    .AddSingleton(_ => PurgeAccountSettings.FromEnvironment())
    .AddSingleton(services => new CognitoIdentityProviderClient(new HttpClient(), services.GetRequiredService<TimeProvider>()))
    .AddSingleton(services => new LambdaClient(new HttpClient(), services.GetRequiredService<TimeProvider>())));

return await LambdaBootstrap.RunAsync(new Dictionary<string, Func<ILoggerFactory, Task<LambdaHandler>>>
{
    [nameof(ProfileApi)] = _ => ProfileApi.CreateHandlerAsync(),
    [nameof(CreateProfile)] = reactive.Handler<CreateProfile>,
    [nameof(PurgeAccount)] = reactive.Handler<PurgeAccount>,
});
