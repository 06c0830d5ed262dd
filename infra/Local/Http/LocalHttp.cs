using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Serverless.Local.Http;

/// <summary>What the local cloud's own HTTP servers (gateway, Lambda service, Cognito and S3 fronts) share.</summary>
internal static class LocalHttp
{
    /// <summary>Headers of one connection, not of the message: a server sets its own.</summary>
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase) { "Transfer-Encoding", "Connection",
        "Keep-Alive" };

    /// <summary>A Kestrel app on 127.0.0.1 only (port 0: any free port), without framework logging.</summary>
    /// <param name="inline">Runs each request on the thread that read it and writes the answer from the thread that made it
    /// (Kestrel's <c>UnsafePreferInlineScheduling</c>), instead of handing both to other threads: every hand-off waits for a
    /// thread to be scheduled, which on a busy machine costs more than the work. Only for servers whose handlers never
    /// block (those on an invocation's path).</param>
    public static WebApplication Create(int port, long? maxRequestBodySize = null, bool inline = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        if (inline) builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        if (maxRequestBodySize is { } limit) builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = limit);
        return builder.Build();
    }

    /// <summary>
    /// Gives a front's response the headers of the emulator's answer, except the hop-by-hop ones and the emulator's CORS
    /// headers (each front answers CORS as the AWS service does, itself).
    /// </summary>
    /// <param name="skip">One more header to leave out (e.g. a Content-Length the front's rewritten body no longer
    /// has); null for none.</param>
    public static void CopyHeadersFrom(this HttpResponse response, HttpResponseMessage answer, string? skip = null)
    {
        foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
        {
            if (HopByHop.Contains(name) || name.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase)
                || string.Equals(name, skip, StringComparison.OrdinalIgnoreCase)) continue;
            response.Headers[name] = values.ToArray();
        }
    }

    public static async Task<byte[]> ReadBodyAsync(this HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        return buffer.ToArray();
    }
}
