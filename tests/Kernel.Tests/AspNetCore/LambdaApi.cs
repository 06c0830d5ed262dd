using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Serverless.Kernel.AspNetCore;
using Serverless.Kernel.Runtime;
using Serverless.TestUtilities;

namespace Serverless.Kernel.Tests.AspNetCore;

/// <summary>
/// A minimal-API app served by <see cref="LambdaServer"/>, invoked the way the loop does: event bytes in, response bytes out.
/// </summary>
internal sealed class LambdaApi : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly LambdaHandler handler;

    private LambdaApi(WebApplication app, LambdaHandler handler, TestLambdaLogger logs)
    {
        this.app = app;
        this.handler = handler;
        Logs = logs;
    }

    /// <summary>What the app logged, as Lambda JSON lines.</summary>
    public TestLambdaLogger Logs { get; }

    public static async Task<LambdaApi> StartAsync(Action<WebApplication> map, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.UseLambdaServer();
        var logs = new TestLambdaLogger();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        configure?.Invoke(builder);
        var app = builder.Build();
        map(app);
        return new LambdaApi(app, await app.StartAsHandlerAsync(), logs);
    }

    /// <summary>The response event, parsed as API Gateway would read it.</summary>
    public async Task<JsonObject> InvokeAsync(JsonObject @event, TestLambdaContext? context = null)
    {
        var response = await InvokeAsync(JsonSerializer.SerializeToUtf8Bytes(@event), context);
        return JsonNode.Parse(response)!.AsObject();
    }

    public Task<byte[]> InvokeAsync(byte[] payload, TestLambdaContext? context = null) =>
        handler.InvokeAsync(payload, context ?? new TestLambdaContext { FunctionName = "api" });

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
