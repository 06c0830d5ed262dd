using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Serverless.Kernel.Tests.Aws;

/// <summary>A Kestrel server on 127.0.0.1 that records each request and answers as the test says.</summary>
internal sealed class StubAwsServer : IAsyncDisposable
{
    public sealed record Captured(string Method, string RawTarget, IReadOnlyDictionary<string, string> Headers, byte[] Body);

    private readonly WebApplication app;
    private readonly List<Captured> requests = [];

    private StubAwsServer(WebApplication app) => this.app = app;

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Writes the answer; 200 with <c>{}</c> unless a test sets it.</summary>
    public Func<HttpContext, Task> Respond { get; set; } = context => Json(context, 200, "{}");

    public IReadOnlyList<Captured> Requests
    {
        get { lock (requests) return [.. requests]; }
    }

    public static async Task<StubAwsServer> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new StubAwsServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        server.Endpoint = new Uri(address + "/");
        return server;
    }

    public static async Task Json(HttpContext context, int status, string body, params (string Name, string Value)[] headers)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/x-amz-json-1.1";
        foreach (var (name, value) in headers) context.Response.Headers[name] = value;
        await context.Response.WriteAsync(body);
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var target = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        lock (requests) requests.Add(new Captured(context.Request.Method, target, headers, buffer.ToArray()));
        await Respond(context);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
