using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Kernel.AspNetCore;
using Serverless.Kernel.Runtime;
using Serverless.ServiceDefaults;

namespace Serverless.Usage;

/// <summary>The Usage API function: <c>GET /usage</c>.</summary>
public static class UsageApi
{
    /// <param name="host">Chooses the server: the Lambda bridge in the function, Kestrel in tests and the benchmark.</param>
    public static WebApplication Build(Action<WebApplicationBuilder> host)
    {
        var builder = WebApplication.CreateSlimBuilder();
        host(builder);
        builder.AddServiceDefaults();
        builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, UsageJsonContext.Default));

        var app = builder.Build();
        app.UseServiceDefaults();
        app.MapGroup("/usage").RequireAuthorization().MapGetUsage();
        return app;
    }

    public static Task<LambdaHandler> CreateHandlerAsync() => Build(builder => builder.UseLambdaServer()).StartAsHandlerAsync();
}
