using System.Net;
using System.Security.Cryptography;
using Amazon.Runtime;

namespace Serverless.Kernel.Aws;

/// <summary>
/// Lambda's <c>Invoke</c> (restJson1: <c>POST /2015-03-31/functions/{FunctionName}/invocations</c>, the payload as the body,
/// <c>X-Amz-Invocation-Type</c>), SigV4-signed as <c>lambda</c> — AWSSDK.Lambda is not available to the suite. Only the
/// asynchronous form is offered: a function hands work on to a new invocation of itself or of another function.
/// </summary>
public sealed class LambdaClient
{
    /// <summary>The SigV4 service name, also the regional endpoint's host prefix (<c>https://lambda.{region}.amazonaws.com</c>).</summary>
    public const string SigningName = "lambda";

    /// <summary>The service's part of <c>AWS_ENDPOINT_URL_LAMBDA</c>.</summary>
    public const string EnvironmentName = "LAMBDA";

    /// <summary>The largest payload an asynchronous invocation takes: 256 KB (262,144 bytes).</summary>
    public const int MaxEventPayloadBytes = 256 * 1024;

    private readonly HttpClient http;
    private readonly TimeProvider timeProvider;
    private readonly AWSCredentials? credentials;

    /// <param name="http">The transport.</param>
    /// <param name="timeProvider">The clock for signing; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="credentials">Credentials to sign with; when null, AWSSDK.Core's default chain, asked on each call.</param>
    /// <param name="region">The region; when null, <c>AWS_REGION</c> then <c>AWS_DEFAULT_REGION</c>.</param>
    /// <param name="endpoint">The endpoint; when null, <c>AWS_ENDPOINT_URL_LAMBDA</c>, <c>AWS_ENDPOINT_URL</c>, else
    /// the regional one.</param>
    public LambdaClient(HttpClient http, TimeProvider? timeProvider = null, AWSCredentials? credentials = null,
        string? region = null, Uri? endpoint = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        this.http = http;
        this.timeProvider = timeProvider ?? TimeProvider.System;
        this.credentials = credentials;
        Region = region ?? AwsEnvironment.RequireRegion();
        Endpoint = endpoint ?? AwsEnvironment.Endpoint(EnvironmentName, SigningName, Region);
    }

    public string Region { get; }

    public Uri Endpoint { get; }

    /// <summary>
    /// Invokes <paramref name="functionName"/> (a name, or a full or partial ARN) asynchronously with <paramref name="payload"/>
    /// (JSON): Lambda queues the event and answers 202.
    /// </summary>
    /// <exception cref="ArgumentException">An empty name, or a payload over <see cref="MaxEventPayloadBytes"/>.</exception>
    /// <exception cref="AwsServiceException">Lambda refused the invocation (<c>ResourceNotFoundException</c>,
    /// <c>TooManyRequestsException</c>, ...).</exception>
    public async Task InvokeEventAsync(string functionName, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(functionName);
        if (payload.Length > MaxEventPayloadBytes)
            throw new ArgumentException(
                $"The payload is {payload.Length} bytes; an asynchronous invocation takes at most {MaxEventPayloadBytes}.",
                nameof(payload));
        var identity = await AwsCredentialResolver.ResolveAsync(credentials, cancellationToken).ConfigureAwait(false);
        using var content = new ReadOnlyMemoryContent(payload);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        var uri = new Uri(Endpoint.AbsoluteUri.TrimEnd('/') + "/2015-03-31/functions/"
            + Uri.EscapeDataString(functionName) + "/invocations");
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        request.Headers.TryAddWithoutValidation("X-Amz-Invocation-Type", "Event");
        TraceHeader.AddTo(request);
        SigV4.Sign(request, identity, Region, SigningName, timeProvider.GetUtcNow(),
            Convert.ToHexStringLower(SHA256.HashData(payload.Span)));

        using var response =
            await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Accepted) throw AwsErrorParser.Parse(response, answer);
    }
}
