using Microsoft.AspNetCore.Builder;
using Serverless.Metering;
using Serverless.ServiceDefaults;

namespace Serverless.Usage;

/// <summary>The Usage API function: <c>GET /usage</c>.</summary>
public static class UsageApi
{
    /// <param name="host">Chooses the server: the Lambda bridge in the function, Kestrel in tests and the benchmark.</param>
    public static WebApplication Build(Action<WebApplicationBuilder> host)
    {
        var builder = ServiceDefaultsExtensions.CreateApiBuilder(host, UsageJsonContext.Default);
        builder.Services.AddMetering();
        var app = builder.Build();
        app.UseServiceDefaults();
        app.MapGroup("/usage").RequireAuthorization().MapGetUsage();
        return app;
    }
}
