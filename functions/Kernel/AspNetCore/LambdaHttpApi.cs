using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Kernel.Events;
using Serverless.Kernel.Runtime;

namespace Serverless.Kernel.AspNetCore;

/// <summary>Hosts a minimal-API app as the handler of API Gateway HTTP API events.</summary>
public static class LambdaHttpApi
{
    /// <summary>Serves the app through <see cref="LambdaServer"/> instead of Kestrel.</summary>
    public static WebApplicationBuilder UseLambdaServer(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<LambdaServer>();
        builder.Services.AddSingleton<IServer>(services => services.GetRequiredService<LambdaServer>());
        return builder;
    }

    /// <summary>
    /// An API function's init for <see cref="LambdaBootstrap"/>: the app its group's <c>Build(host)</c> makes, served by
    /// <see cref="LambdaServer"/>; in-process tests and the bench give the same <c>Build</c> another server.
    /// </summary>
    public static Func<ILoggerFactory, Task<LambdaHandler>> Handler(Func<Action<WebApplicationBuilder>, WebApplication> build) =>
        _ => build(builder => builder.UseLambdaServer()).StartAsHandlerAsync();

    /// <summary>Starts the app (part of the function's init) and returns the invocation handler.</summary>
    public static async Task<LambdaHandler> StartAsHandlerAsync(this WebApplication app)
    {
        await app.StartAsync();
        var server = app.Services.GetRequiredService<LambdaServer>();
        return async (payload, context) =>
        {
            var request = JsonSerializer.Deserialize(payload, KernelJsonContext.Default.APIGatewayHttpApiV2ProxyRequest)
                ?? throw new JsonException("The event is not an API Gateway HTTP API request.");
            var response = await server.ProcessAsync(request, context);
            return JsonSerializer.SerializeToUtf8Bytes(response, KernelJsonContext.Default.APIGatewayHttpApiV2ProxyResponse);
        };
    }
}
