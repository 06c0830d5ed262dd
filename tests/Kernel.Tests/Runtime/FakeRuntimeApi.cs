using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Serverless.Kernel.Runtime;
using Serverless.TestUtilities;

namespace Serverless.Kernel.Tests.Runtime;

/// <summary>
/// A Lambda Runtime API on 127.0.0.1: <c>invocation/next</c> hands out what the test queued, every POST
/// is recorded, and <see cref="RunAsync"/> runs the real loop against it until the fake is disposed. The loop's metric
/// lines are kept too (<see cref="NextMetricLineAsync"/>).
/// </summary>
internal sealed class FakeRuntimeApi : IAsyncDisposable
{
    private const string Prefix = "/2018-06-01/runtime";

    private readonly WebApplication app;
    private readonly Channel<(IReadOnlyDictionary<string, string> Headers, byte[] Payload)> queued =
        Channel.CreateUnbounded<(IReadOnlyDictionary<string, string>, byte[])>();
    private readonly Channel<Post> posts = Channel.CreateUnbounded<Post>();
    private readonly Channel<string> metricLines = Channel.CreateUnbounded<string>();
    private readonly HttpClient http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly CancellationTokenSource stopping = new();
    private Task<int>? run;
    private int nextRequests;

    private FakeRuntimeApi(WebApplication app) => this.app = app;

    /// <summary>The status a POST to a path (such as <c>/invocation/r-1/response</c>) answers; 202 when absent.</summary>
    public ConcurrentDictionary<string, int> Answers { get; } = new();

    /// <summary>How many times the runtime asked for <c>invocation/next</c>.</summary>
    public int NextRequests => Volatile.Read(ref nextRequests);

    public RuntimeApiClient Client { get; private set; } = null!;

    /// <summary>host:port, as in <c>AWS_LAMBDA_RUNTIME_API</c>.</summary>
    public string Address { get; private set; } = "";

    public sealed record Post(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
    {
        public string Text => Encoding.UTF8.GetString(Body);
        public JsonElement Json => JsonDocument.Parse(Body).RootElement;
    }

    public static async Task<FakeRuntimeApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeRuntimeApi(app);
        app.MapGet($"{Prefix}/invocation/next", async (HttpContext context) =>
        {
            Interlocked.Increment(ref fake.nextRequests);
            var (headers, payload) = await fake.queued.Reader.ReadAsync(context.RequestAborted);
            foreach (var (name, value) in headers) context.Response.Headers[name] = value;
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(payload, context.RequestAborted);
        });
        app.MapPost($"{Prefix}/{{**rest}}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var path = context.Request.Path.Value![Prefix.Length..];
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            await fake.posts.Writer.WriteAsync(new Post(path, headers, body.ToArray()));
            context.Response.StatusCode = fake.Answers.TryGetValue(path, out var status) ? status : 202;
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        fake.Address = new Uri(address).Authority;
        fake.Client = new RuntimeApiClient(fake.http, fake.Address);
        return fake;
    }

    /// <summary>Queues an invocation; <paramref name="headers"/> come on top of a request id and a deadline a minute away.</summary>
    public void Enqueue(string requestId, string payload, IReadOnlyDictionary<string, string>? headers = null)
    {
        var all = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["Lambda-Runtime-Aws-Request-Id"] = requestId,
            ["Lambda-Runtime-Deadline-Ms"] =
                DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Lambda-Runtime-Invoked-Function-Arn"] = "arn:aws:lambda:us-east-2:123456789012:function:fn",
        };
        foreach (var (name, value) in headers ?? new Dictionary<string, string>()) all[name] = value;
        queued.Writer.TryWrite((all, Encoding.UTF8.GetBytes(payload)));
    }

    /// <summary>The next POST the runtime made (a response or an error), in order.</summary>
    public async Task<Post> NextPostAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await posts.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>The next line the loop wrote to its metrics output, in order, without its line end.</summary>
    public async Task<JsonElement> NextMetricLineAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var line = await metricLines.Reader.ReadAsync(timeout.Token);
        Assert.EndsWith("\n", line);
        Assert.DoesNotContain('\n', line[..^1]);
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    /// <summary>Starts the loop with <paramref name="handler"/> registered and picked as <c>Fn</c>.</summary>
    public Task<int> RunAsync(LambdaHandler handler, TimeProvider? time = null, ILoggerFactory? loggerFactory = null) =>
        RunAsync(new Dictionary<string, Func<ILoggerFactory, Task<LambdaHandler>>> { ["Fn"] = _ =>
            Task.FromResult(handler) }, "Fn", time, loggerFactory);

    public Task<int> RunAsync(
        IReadOnlyDictionary<string, Func<ILoggerFactory, Task<LambdaHandler>>> handlers, string handlerName,
        TimeProvider? time = null, ILoggerFactory? loggerFactory = null) =>
        run = LambdaBootstrap.RunAsync(handlers, handlerName, Client, loggerFactory ?? NullLoggerFactory.Instance, time
            ?? TimeProvider.System, stopping.Token, new LineStream(line => metricLines.Writer.TryWrite(line)));

    /// <summary>Stops the loop (it must end with 0 while waiting for the next invocation), then the server.</summary>
    public async Task<int> StopAsync()
    {
        await stopping.CancelAsync();
        return run is null ? 0 : await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            http.Dispose();
            stopping.Dispose();
        }
    }
}
