using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Kernel.AspNetCore;
using Serverless.Kernel.Runtime;
using Serverless.ServiceDefaults;

namespace Serverless.Uploads;

/// <summary>The Uploads API function: <c>POST/GET /uploads</c>, <c>GET/DELETE /uploads/{id}</c>, <c>GET /uploads/{id}/results</c>.</summary>
public static class UploadsApi
{
    /// <param name="host">Chooses the server: the Lambda bridge in the function, Kestrel in the benchmark.</param>
    public static WebApplication Build(Action<WebApplicationBuilder> host)
    {
        var builder = WebApplication.CreateSlimBuilder();
        host(builder);
        builder.AddServiceDefaults();
        builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, UploadsJsonContext.Default));

        var app = builder.Build();
        app.UseServiceDefaults();
        var uploads = app.MapGroup("/uploads").RequireAuthorization();
        return app;
    }

    public static Task<LambdaHandler> CreateHandlerAsync() => Build(builder => builder.UseLambdaServer()).StartAsHandlerAsync();
}
