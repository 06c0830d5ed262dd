using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using Serverless.Kernel.Events;

namespace Serverless.Kernel.AspNetCore;

/// <summary>
/// Buffers the app's response and turns it into API Gateway's payload 2.0 response:
/// <c>Set-Cookie</c> headers go to <c>cookies</c>, text bodies go as UTF-8, everything else base64.
/// </summary>
internal sealed class LambdaResponseFeature : IHttpResponseFeature, IHttpResponseBodyFeature
{
    private readonly List<(Func<object, Task> Callback, object State)> onStarting = [];
    private readonly List<(Func<object, Task> Callback, object State)> onCompleted = [];
    private MemoryStream body = new();
    private PipeWriter? writer;

    public int StatusCode { get; set; } = StatusCodes.Status200OK;
    public string? ReasonPhrase { get; set; }
    public IHeaderDictionary Headers { get; set; } = new HeaderDictionary();
    Stream IHttpResponseFeature.Body
    {
        get => body;
        set => body = value as MemoryStream ?? throw new NotSupportedException("The response body is buffered.");
    }
    Stream IHttpResponseBodyFeature.Stream => body;
    public PipeWriter Writer => writer ??= PipeWriter.Create(body, new StreamPipeWriterOptions(leaveOpen: true));

    /// <summary>Nothing leaves before the handler returns, so headers may change until then.</summary>
    public bool HasStarted { get; private set; }

    public void OnStarting(Func<object, Task> callback, object state) => onStarting.Add((callback, state));
    public void OnCompleted(Func<object, Task> callback, object state) => onCompleted.Add((callback, state));

    public void DisableBuffering() { }
    public Task StartAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
    public Task CompleteAsync() => writer?.FlushAsync().AsTask() ?? Task.CompletedTask;

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        await using var file = File.OpenRead(path);
        file.Seek(offset, SeekOrigin.Begin);
        if (count is { } length)
        {
            var buffer = new byte[length];
            await file.ReadExactlyAsync(buffer, cancellationToken);
            await body.WriteAsync(buffer, cancellationToken);
        }
        else
        {
            await file.CopyToAsync(body, cancellationToken);
        }
    }

    internal void Reset(int statusCode)
    {
        StatusCode = statusCode;
        Headers.Clear();
        body = new MemoryStream();
        writer = null;
    }

    internal async Task FireOnStartingAsync()
    {
        if (writer is not null) await writer.FlushAsync();
        // Registered last runs first, as in Kestrel.
        for (var i = onStarting.Count - 1; i >= 0; i--)
            await onStarting[i].Callback(onStarting[i].State);
        HasStarted = true;
    }

    internal async Task FireOnCompletedAsync()
    {
        for (var i = onCompleted.Count - 1; i >= 0; i--)
            await onCompleted[i].Callback(onCompleted[i].State);
    }

    internal APIGatewayHttpApiV2ProxyResponse ToApiGatewayResponse()
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string[]? cookies = null;
        foreach (var (name, values) in Headers)
        {
            if (string.Equals(name, HeaderNames.SetCookie, StringComparison.OrdinalIgnoreCase))
                cookies = values.ToArray()!;
            else
                headers[name] = values.ToString();
        }
        var bytes = body.ToArray();
        var isText = HttpApiBody.IsText(Headers.ContentType.ToString(), Headers.ContentEncoding.ToString());
        return new APIGatewayHttpApiV2ProxyResponse
        {
            StatusCode = StatusCode,
            Headers = headers,
            Cookies = cookies,
            Body = bytes.Length == 0 ? null : isText ? Encoding.UTF8.GetString(bytes) : Convert.ToBase64String(bytes),
            IsBase64Encoded = bytes.Length > 0 && !isText,
        };
    }
}
