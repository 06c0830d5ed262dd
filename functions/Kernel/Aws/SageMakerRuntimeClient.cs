using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Serverless.Kernel.Metrics;
using Metric = Serverless.Kernel.Metrics.Metric;

namespace Serverless.Kernel.Aws;

/// <summary>
/// SageMaker Runtime's <c>InvokeEndpoint</c> (restJson1: <c>POST /endpoints/{EndpointName}/invocations</c>, the body passed
/// to the model as is, <c>Content-Type</c> and <c>Accept</c> headers), SigV4-signed as <c>sagemaker</c> — AWSSDK.SageMakerRuntime
/// is not available to the suite.
/// <para>
/// Throttling (429, or any status with a throttling error code), 500/502/503/504/530 answers, timeouts and dropped
/// connections are retried as <see cref="AwsRetryOptions"/> says, never past the caller's deadline; when retrying stops, the
/// last failure is thrown. <c>ModelError</c> (424, a <see cref="ModelErrorException"/>) and every other 4xx are final
/// <see cref="AwsServiceException"/>s.
/// </para>
/// <para>
/// Each attempt adds to the invocation's metrics (<see cref="Metric"/>): <see cref="MetricNames.ModelLatency"/> when the
/// model answered, <see cref="MetricNames.ModelThrottles"/> for a throttling answer, <see cref="MetricNames.ModelErrors"/>
/// for <c>ModelError</c> or a 5xx.
/// </para>
/// </summary>
public sealed partial class SageMakerRuntimeClient
{
    /// <summary>The largest request body InvokeEndpoint takes: 6 MB (the API's <c>BodyBlob</c> maximum, 6,291,456 bytes).</summary>
    public const int MaxBodyBytes = 6 * 1024 * 1024;

    /// <summary>The SigV4 service name.</summary>
    public const string SigningName = "sagemaker";

    /// <summary>The host prefix of the regional endpoint, <c>https://runtime.sagemaker.{region}.amazonaws.com</c>.</summary>
    public const string EndpointPrefix = "runtime.sagemaker";

    /// <summary>The service's part of <c>AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME</c>.</summary>
    public const string EnvironmentName = "SAGEMAKER_RUNTIME";

    private const string Json = "application/json";

    // The AWS SDKs' throttling codes; SageMaker Runtime sends ThrottlingException, with 429 and at times with 400.
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "ThrottlingException", "Throttling", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "RequestLimitExceeded", "RequestThrottled", "SlowDown",
    };

    private readonly HttpClient http;
    private readonly TimeProvider timeProvider;
    private readonly AWSCredentials? credentials;

    /// <param name="http">The transport. Its <see cref="HttpClient.Timeout"/> bounds each attempt (a timed-out attempt is
    /// retried); SageMaker gives the model 60 s and advises a 70 s client timeout.</param>
    /// <param name="timeProvider">The clock for signing, backoff waits and the deadline;
    /// <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="credentials">Credentials to sign with; when null, AWSSDK.Core's default chain, asked on each attempt.</param>
    /// <param name="region">The region; when null, <c>AWS_REGION</c> then <c>AWS_DEFAULT_REGION</c>.</param>
    /// <param name="endpoint">The endpoint; when null, <c>AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME</c>,
    /// <c>AWS_ENDPOINT_URL</c>, else the regional one.</param>
    /// <param name="retry">The retry policy; <see cref="AwsRetryOptions.Default"/> when null.</param>
    public SageMakerRuntimeClient(HttpClient http, TimeProvider? timeProvider = null, AWSCredentials? credentials = null,
        string? region = null, Uri? endpoint = null, AwsRetryOptions? retry = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        this.http = http;
        this.timeProvider = timeProvider ?? TimeProvider.System;
        this.credentials = credentials;
        Region = region ?? AwsEnvironment.RequireRegion();
        Endpoint = endpoint ?? AwsEnvironment.Endpoint(EnvironmentName, EndpointPrefix, Region);
        Retry = retry ?? AwsRetryOptions.Default;
        Retry.Validate();
    }

    public string Region { get; }

    public Uri Endpoint { get; }

    public AwsRetryOptions Retry { get; }

    /// <summary>InvokeEndpoint: sends <paramref name="body"/> to the model as is and returns the model's answer.</summary>
    /// <exception cref="ArgumentException">A bad endpoint name, an empty content type or accept, or a body over
    /// <see cref="MaxBodyBytes"/>.</exception>
    /// <exception cref="ModelErrorException">The model container failed (424); not retried.</exception>
    /// <exception cref="AwsServiceException">Any other error answer, final or still failing when retrying stopped.</exception>
    public async Task<byte[]> InvokeEndpointAsync(string endpointName, ReadOnlyMemory<byte> body, string contentType, string accept,
        CancellationToken cancellationToken)
    {
        var uri = InvocationsUri(endpointName);
        ArgumentException.ThrowIfNullOrWhiteSpace(contentType);
        ArgumentException.ThrowIfNullOrWhiteSpace(accept);
        EnsureBodySize(body.Length, nameof(body));
        var payloadHash = Convert.ToHexStringLower(SHA256.HashData(body.Span));

        for (var attempt = 1; ; attempt++)
        {
            var started = timeProvider.GetUtcNow();
            ExceptionDispatchInfo failure;
            try
            {
                return await SendAsync(uri, body, payloadHash, contentType, accept, cancellationToken).ConfigureAwait(false);
            }
            catch (AwsServiceException error) when (IsRetryable(error))
            {
                failure = ExceptionDispatchInfo.Capture(error);
            }
            catch (Exception error) when (IsTransient(error, cancellationToken))
            {
                failure = ExceptionDispatchInfo.Capture(error);
            }
            if (attempt >= Retry.MaxAttempts || NextDelay(attempt, timeProvider.GetUtcNow() - started) is not { } delay)
            {
                failure.Throw();
                throw new UnreachableException();
            }
            await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The Hugging Face text-classification contract: sends <c>{"inputs": [...]}</c> as JSON and reads
    /// <c>[{"label": ..., "score": ...}]</c>, one item per text, in order. Labels are read in upper case: the model the
    /// template deploys (cardiffnlp/twitter-roberta-base-sentiment-latest) answers negative/neutral/positive, the API and
    /// the stored predictions say NEGATIVE/NEUTRAL/POSITIVE.
    /// </summary>
    /// <exception cref="InvalidDataException">The answer is not one classification per text.</exception>
    public async Task<IReadOnlyList<Classification>> ClassifyAsync(string endpointName, IReadOnlyList<string> texts,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0) throw new ArgumentException("At least one text is needed.", nameof(texts));
        for (var i = 0; i < texts.Count; i++)
            if (texts[i] is null) throw new ArgumentException($"texts[{i}] is null.", nameof(texts));
        var body = JsonSerializer.SerializeToUtf8Bytes(new TextClassificationRequest(texts),
            SageMakerJsonContext.Default.TextClassificationRequest);
        EnsureBodySize(body.Length, nameof(texts));

        var answer = await InvokeEndpointAsync(endpointName, body, Json, Json, cancellationToken).ConfigureAwait(false);
        List<Classification>? classifications;
        try
        {
            classifications = JsonSerializer.Deserialize(answer, SageMakerJsonContext.Default.ListClassification);
        }
        catch (JsonException error)
        {
            throw new InvalidDataException(
                $"Endpoint {endpointName} did not answer a JSON array of {{\"label\", \"score\"}} objects: {error.Message}", error);
        }
        if (classifications is null || classifications.Count != texts.Count)
        {
            throw new InvalidDataException(
                $"Endpoint {endpointName} answered {(classifications is null ? "null" : classifications.Count + " classifications")} " +
                $"for {texts.Count} texts; the text-classification contract is one per input.");
        }
        return classifications.Select(classification => classification with { Label = classification.Label.ToUpperInvariant() })
            .ToList();
    }

    private async Task<byte[]> SendAsync(Uri uri, ReadOnlyMemory<byte> body, string payloadHash, string contentType, string accept,
        CancellationToken cancellationToken)
    {
        var identity = await AwsCredentialResolver.ResolveAsync(credentials, cancellationToken).ConfigureAwait(false);
        using var content = new ReadOnlyMemoryContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        request.Headers.TryAddWithoutValidation("Accept", accept);
        TraceHeader.AddTo(request);
        var sent = timeProvider.GetUtcNow();
        SigV4.Sign(request, identity, Region, SigningName, sent, payloadHash);

        using var response =
            await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            Metric.Add(MetricNames.ModelLatency, (timeProvider.GetUtcNow() - sent).TotalMilliseconds, MetricUnit.Milliseconds);
            return answer;
        }
        var error = AwsErrorParser.Parse(response, answer, CreateError);
        if (IsThrottling(error)) Metric.Add(MetricNames.ModelThrottles, 1);
        else if (error is ModelErrorException || (int)error.StatusCode >= 500) Metric.Add(MetricNames.ModelErrors, 1);
        throw error;
    }

    /// <summary>The wait before the next attempt, or null when no attempt fits before the deadline any more.</summary>
    private TimeSpan? NextDelay(int attempt, TimeSpan lastAttempt)
    {
        var delay = Retry.Backoff(attempt);
        if (Retry.Deadline() is not { } deadline) return delay;
        var room = deadline - timeProvider.GetUtcNow() - (lastAttempt > Retry.MinAttemptTime ? lastAttempt : Retry.MinAttemptTime);
        if (room <= TimeSpan.Zero) return null;
        return delay < room ? delay : room;
    }

    /// <summary>Whether the endpoint refused the call for throttling: 429, or any status with one of the SDKs' throttling codes.</summary>
    public static bool IsThrottling(AwsServiceException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return (int)error.StatusCode == 429 || ThrottlingCodes.Contains(error.ErrorCode);
    }

    private static bool IsRetryable(AwsServiceException error) =>
        error is not ModelErrorException && ((int)error.StatusCode is 500 or 502 or 503 or 504 or 530 || IsThrottling(error));

    // No answer at all: a refused or dropped connection, or HttpClient.Timeout (a cancellation the caller did not ask for).
    private static bool IsTransient(Exception error, CancellationToken cancellationToken) =>
        error is HttpRequestException or IOException
        || (error is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private static AwsServiceException CreateError(string code, string message, HttpStatusCode statusCode,
        string? requestId, JsonElement? body)
    {
        if (code != ModelErrorException.Code
            && !(statusCode == HttpStatusCode.FailedDependency && code == AwsServiceException.UnknownErrorCode))
            return new AwsServiceException(code, message, statusCode, requestId);
        int? originalStatus = body is { } b && b.TryGetProperty("OriginalStatusCode", out var status) && status.TryGetInt32(out var value)
            ? value
            : null;
        return new ModelErrorException(message, statusCode, requestId, originalStatus,
            body is { } o ? AwsErrorParser.String(o, "OriginalMessage") : null,
            body is { } l ? AwsErrorParser.String(l, "LogStreamArn") : null);
    }

    private Uri InvocationsUri(string endpointName)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpointName);
        if (endpointName.Length > 63 || !EndpointNamePattern().IsMatch(endpointName))
        {
            throw new ArgumentException(
                $"'{endpointName}' is not an endpoint name: at most 63 letters, digits and hyphens, " +
                "starting and ending with a letter or digit.",
                nameof(endpointName));
        }
        return new Uri(Endpoint.AbsoluteUri.TrimEnd('/') + "/endpoints/" + endpointName + "/invocations");
    }

    private static void EnsureBodySize(int length, string parameterName)
    {
        if (length > MaxBodyBytes)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The request body is {length:N0} bytes; InvokeEndpoint takes at most {MaxBodyBytes:N0} (6 MB). Send less per call."),
                parameterName);
        }
    }

    // EndpointName in the API model: ^[a-zA-Z0-9](-*[a-zA-Z0-9])*, at most 63 characters.
    [GeneratedRegex(@"^[a-zA-Z0-9](-*[a-zA-Z0-9])*\z", RegexOptions.CultureInvariant)]
    private static partial Regex EndpointNamePattern();
}
