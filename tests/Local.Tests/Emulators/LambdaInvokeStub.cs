using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace Serverless.Local.Tests.Emulators;

/// <summary>
/// A stand-in for the Lambda Invoke API (POST /2015-03-31/functions/{name}/invocations) on 127.0.0.1:
/// records each request and answers 200 with the event itself, as a trigger function returning its event does.
/// </summary>
internal sealed class LambdaInvokeStub : IAsyncDisposable
{
    private readonly HttpListener listener = new();
    private readonly Channel<Invocation> invocations = Channel.CreateUnbounded<Invocation>();
    private readonly Task loop;

    public LambdaInvokeStub()
    {
        Port = FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        listener.Start();
        loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    public async Task<Invocation> NextAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        return await invocations.Reader.ReadAsync(cancel.Token);
    }

    public bool TryTake(out Invocation? invocation) => invocations.Reader.TryRead(out invocation);

    public async ValueTask DisposeAsync()
    {
        listener.Stop();
        listener.Close();
        try
        {
            await loop;
        }
        catch (Exception)
        {
        }
    }

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception)
            {
                return;
            }
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers.AllKeys
                .Where(k => k is not null)
                .ToDictionary(k => k!, k => context.Request.Headers[k] ?? string.Empty, StringComparer.OrdinalIgnoreCase);
            invocations.Writer.TryWrite(new Invocation(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, headers, body));
            var answer = Encoding.UTF8.GetBytes(body);
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = answer.Length;
            await context.Response.OutputStream.WriteAsync(answer);
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public sealed record Invocation(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body);
}
