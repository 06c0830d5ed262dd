using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Serverless.Local.Tests.Gateway;

/// <summary>Serves one JWKS document on 127.0.0.1 at any path, recording the paths asked for.</summary>
internal sealed class JwksServer : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly string body;
    private readonly Task loop;

    public JwksServer(string body)
    {
        this.body = body;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        BaseUri = $"http://127.0.0.1:{port}/";
        listener.Prefixes.Add(BaseUri);
        listener.Start();
        loop = Task.Run(ServeAsync);
    }

    public string BaseUri { get; }

    public List<string> Paths { get; } = [];

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            lock (Paths)
            {
                Paths.Add(context.Request.Url!.AbsolutePath);
            }

            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        listener.Stop();
        listener.Close();
        loop.Wait(TimeSpan.FromSeconds(5));
    }
}
