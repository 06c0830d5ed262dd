using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Serverless.Kernel.AspNetCore;
using Serverless.Kernel.Logging;
using Serverless.Kernel.Runtime;

namespace Serverless.Kernel.Tests.AspNetCore;

/// <summary>A minimal-API app served by <see cref="LambdaServer"/>, invoked the way the loop does: event bytes in,
/// response bytes out.</summary>
internal sealed class LambdaApi : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly LambdaHandler handler;

    private LambdaApi(WebApplication app, LambdaHandler handler, MemoryStream logs)
    {
        this.app = app;
        this.handler = handler;
        Logs = logs;
    }

    /// <summary>What the app logged, as Lambda JSON lines.</summary>
    public MemoryStream Logs { get; }

    public static async Task<LambdaApi> StartAsync(Action<WebApplication> map, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.UseLambdaServer();
        var logs = new MemoryStream();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new LambdaJsonLoggerProvider(logs, TimeProvider.System));
        configure?.Invoke(builder);
        var app = builder.Build();
        map(app);
        return new LambdaApi(app, await app.StartAsHandlerAsync(), logs);
    }

    public static LambdaContext Context(CancellationToken cancellationToken = default) => new(
        "c0ffee00-1111-2222-3333-444455556666", DateTimeOffset.UtcNow.AddSeconds(30),
        "arn:aws:lambda:us-east-2:123456789012:function:api", null, null, null, cancellationToken, TimeProvider.System);

    /// <summary>The response event, parsed as API Gateway would read it.</summary>
    public async Task<JsonObject> InvokeAsync(JsonObject @event, LambdaContext? context = null)
    {
        var response = await InvokeAsync(JsonSerializer.SerializeToUtf8Bytes(@event), context);
        return JsonNode.Parse(response)!.AsObject();
    }

    public Task<byte[]> InvokeAsync(byte[] payload, LambdaContext? context = null) => handler(payload, context ?? Context());

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
