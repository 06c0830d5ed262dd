using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Amazon.Runtime;

namespace Serverless.Kernel.Aws;

/// <summary>
/// Calls an AWS JSON-protocol (awsJson1_0 / awsJson1_1) service: one signed POST to the endpoint root per operation,
/// <c>X-Amz-Target: {prefix}.{Operation}</c>, source-generated JSON in and out. An error answer becomes an
/// <see cref="AwsServiceException"/> (read by <see cref="AwsErrorParser"/>).
/// </summary>
public sealed class AwsJsonClient
{
    private readonly HttpClient http;
    private readonly TimeProvider timeProvider;
    private readonly AWSCredentials? credentials;

    /// <param name="http">The transport (from IHttpClientFactory or shared); only absolute URIs are sent.</param>
    /// <param name="service">The service to call.</param>
    /// <param name="timeProvider">The clock for the signing time; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="credentials">Credentials to sign with; when null, AWSSDK.Core's default chain (environment
    /// variables, as on Lambda, then profiles, web identity, container and instance metadata) is asked on each call, so
    /// refreshing credentials stay fresh.</param>
    /// <param name="region">The region; when null, <c>AWS_REGION</c> then <c>AWS_DEFAULT_REGION</c>.</param>
    /// <param name="endpoint">The endpoint; when null, <see cref="AwsEnvironment.Endpoint"/> resolves it from the environment.</param>
    public AwsJsonClient(HttpClient http, AwsJsonService service, TimeProvider? timeProvider = null,
        AWSCredentials? credentials = null, string? region = null, Uri? endpoint = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(service);
        this.http = http;
        Service = service;
        this.timeProvider = timeProvider ?? TimeProvider.System;
        this.credentials = credentials;
        Region = region ?? AwsEnvironment.RequireRegion();
        Endpoint = endpoint ?? AwsEnvironment.Endpoint(service.EnvironmentName, service.EndpointPrefix, Region);
    }

    public AwsJsonService Service { get; }

    public string Region { get; }

    public Uri Endpoint { get; }

    /// <summary>Calls <paramref name="operation"/> and reads its output.</summary>
    public async Task<TResponse> SendAsync<TRequest, TResponse>(string operation, TRequest input,
        JsonTypeInfo<TRequest> inputType, JsonTypeInfo<TResponse> outputType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outputType);
        var body = await SendCoreAsync(operation, JsonSerializer.SerializeToUtf8Bytes(input, inputType),
            cancellationToken).ConfigureAwait(false);
        // An operation with an empty output may answer with no body at all.
        return (body.Length == 0 ? JsonSerializer.Deserialize("{}"u8, outputType) : JsonSerializer.Deserialize(body, outputType))
            ?? throw new JsonException($"{Service.TargetPrefix}.{operation} answered with JSON null.");
    }

    /// <summary>Calls <paramref name="operation"/>, ignoring whatever output it has.</summary>
    public async Task SendAsync<TRequest>(string operation, TRequest input, JsonTypeInfo<TRequest> inputType,
        CancellationToken cancellationToken) =>
        await SendCoreAsync(operation, JsonSerializer.SerializeToUtf8Bytes(input, inputType), cancellationToken).ConfigureAwait(false);

    private async Task<byte[]> SendCoreAsync(string operation, byte[] payload, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(operation);
        var identity = await AwsCredentialResolver.ResolveAsync(credentials, cancellationToken).ConfigureAwait(false);

        using var content = new ByteArrayContent(payload);
        content.Headers.ContentType = new MediaTypeHeaderValue(Service.ContentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = content };
        request.Headers.TryAddWithoutValidation("X-Amz-Target", $"{Service.TargetPrefix}.{operation}");
        TraceHeader.AddTo(request);
        SigV4.Sign(request, identity, Region, Service.SigningName, timeProvider.GetUtcNow(),
            Convert.ToHexStringLower(Amazon.Runtime.Internal.Auth.AWS4Signer.ComputeHash(payload)));

        using var response =
            await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw AwsErrorParser.Parse(response, body);
        return body;
    }
}
