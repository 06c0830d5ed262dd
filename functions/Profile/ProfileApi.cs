using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Kernel.Aws;
using Serverless.ServiceDefaults;

namespace Serverless.Profile;

/// <summary>The Profile API function: <c>GET/PATCH/DELETE /me</c> (and the public <c>GET /health</c>).</summary>
public static class ProfileApi
{
    /// <param name="host">Chooses the server: the Lambda bridge in the function, Kestrel in the benchmark.</param>
    public static WebApplication Build(Action<WebApplicationBuilder> host)
    {
        var builder = ServiceDefaultsExtensions.CreateApiBuilder(host, ProfileJsonContext.Default);
        builder.Services.AddSingleton(ProfileApiSettings.FromEnvironment());
        builder.Services.AddSingleton<Profiles>();
        builder.Services.AddSingleton(services =>
            new CognitoIdentityProviderClient(new HttpClient(), services.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(services => new LambdaClient(new HttpClient(), services.GetRequiredService<TimeProvider>()));

        var app = builder.Build();
        app.UseServiceDefaults();
        var me = app.MapGroup("/me").RequireAuthorization();
        me.MapGetMe();
        me.MapPatchMe();
        me.MapDeleteMe();
        return app;
    }
}
