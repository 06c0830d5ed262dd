using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Kernel.AspNetCore;
using Serverless.Kernel.Events;
using Serverless.TestUtilities;

namespace Serverless.ServiceDefaults.Tests;

/// <summary>A body of the kinds the groups take: strings, a whole number, an array of strings; unknown fields refused.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record Probe(string? Name, long? Size, IReadOnlyList<string?>? Texts, bool? Draft);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Probe))]
internal sealed partial class ProbeJsonContext : JsonSerializerContext;

/// <summary>
/// An API built as the groups build theirs (<see cref="ServiceDefaultsExtensions.CreateApiBuilder"/>, the service defaults'
/// pipeline) with a body endpoint that answers their own rule violations as the groups' endpoints do, served by the
/// Lambda bridge. Its logs go to <see cref="Logs"/>.
/// </summary>
internal sealed class ProbeApi : IAsyncDisposable
{
    private readonly WebApplication app;

    private ProbeApi(WebApplication app, TestLambdaLogger logs)
    {
        this.app = app;
        Logs = logs;
    }

    public TestLambdaLogger Logs { get; }

    public static async Task<ProbeApi> StartAsync()
    {
        // Read when the defaults are added; the probe never reaches the table.
        Environment.SetEnvironmentVariable("TABLE_NAME", "probe-table");
        var builder = ServiceDefaultsExtensions.CreateApiBuilder(builder => builder.UseLambdaServer(), ProbeJsonContext.Default);
        var logs = new TestLambdaLogger();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        var app = builder.Build();
        app.UseServiceDefaults();
        app.MapPost("/probe", (Probe probe) => probe.Size < 1
            ? Results.ValidationProblem(new Dictionary<string, string[]> { ["size"] = ["The size must be at least 1."] })
            : Results.Ok(probe));
        await app.StartAsync();
        return new ProbeApi(app, logs);
    }

    /// <summary>Sends a request as API Gateway would; <paramref name="body"/> null sends none.</summary>
    public async Task<APIGatewayHttpApiV2ProxyResponse> SendAsync(
        string method, string pathAndQuery, string? body = null, string? contentType = "application/json")
    {
        var (path, query) = pathAndQuery.Split('?', 2) is [var p, var q] ? (p, q) : (pathAndQuery, "");
        var request = new APIGatewayHttpApiV2ProxyRequest
        {
            Version = "2.0",
            RouteKey = "$default",
            RawPath = path,
            RawQueryString = query,
            Headers = contentType is null ? [] : new() { ["content-type"] = contentType },
            RequestContext = new() { RequestId = "probe-request", Stage = "$default", Http = new() { Method = method, Path = path } },
            Body = body,
        };
        var context = new TestLambdaContext { FunctionName = "probe" };
        return await app.Services.GetRequiredService<LambdaServer>().ProcessAsync(request, context);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
