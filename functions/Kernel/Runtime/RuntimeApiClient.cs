using System.Net.Http.Headers;
using System.Text.Json;

namespace Serverless.Kernel.Runtime;

/// <summary>
/// Client for the Lambda Runtime API (<c>http://{AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/...</c>).
/// </summary>
public sealed class RuntimeApiClient(HttpClient http, string runtimeApi)
{
    private readonly string baseUri = $"http://{runtimeApi}/2018-06-01/runtime";

    /// <summary>An invocation as <c>invocation/next</c> hands it over.</summary>
    public sealed record Invocation(
        string RequestId, long DeadlineMs, string FunctionArn, string? TraceId,
        string? ClientContext, string? CognitoIdentity, byte[] Payload);

    /// <summary>Long-polls for the next invocation; the Runtime API answers when there is one.</summary>
    public async Task<Invocation> NextAsync(CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"{baseUri}/invocation/next", HttpCompletionOption.ResponseContentRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        var headers = response.Headers;
        return new Invocation(
            Header(headers, "Lambda-Runtime-Aws-Request-Id")
                ?? throw new InvalidOperationException("The Runtime API sent no Lambda-Runtime-Aws-Request-Id."),
            long.TryParse(Header(headers, "Lambda-Runtime-Deadline-Ms"), out var deadline) ? deadline : 0,
            Header(headers, "Lambda-Runtime-Invoked-Function-Arn") ?? "",
            Header(headers, "Lambda-Runtime-Trace-Id"),
            Header(headers, "Lambda-Runtime-Client-Context"),
            Header(headers, "Lambda-Runtime-Cognito-Identity"),
            await response.Content.ReadAsByteArrayAsync(cancellationToken));
    }

    public async Task SendResponseAsync(string requestId, byte[] payload, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(payload);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync($"{baseUri}/invocation/{requestId}/response", content, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public Task SendErrorAsync(string requestId, LambdaError error, CancellationToken cancellationToken) =>
        PostErrorAsync($"{baseUri}/invocation/{requestId}/error", error, cancellationToken);

    public Task SendInitErrorAsync(LambdaError error, CancellationToken cancellationToken) =>
        PostErrorAsync($"{baseUri}/init/error", error, cancellationToken);

    private async Task PostErrorAsync(string uri, LambdaError error, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(error, RuntimeJsonContext.Default.LambdaError));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        request.Headers.Add("Lambda-Runtime-Function-Error-Type", error.ErrorType);
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    private static string? Header(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
