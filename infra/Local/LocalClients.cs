using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.S3;
using Serverless.Kernel.Aws;
using Serverless.Local.Lambda;

namespace Serverless.Local;

/// <summary>
/// AWS SDK clients for the local cloud's emulators, signed as <see cref="LocalAccount"/>: what the local cloud provisions
/// with, and what tests and the bench read and write the local table and bucket with.
/// </summary>
public static class LocalClients
{
    /// <summary>A client for DynamoDB Local at <paramref name="endpoint"/> (the <c>DynamoDbEndpoint</c> output).</summary>
    public static AmazonDynamoDBClient DynamoDb(string endpoint) => new(
        new BasicAWSCredentials(LocalAccount.AccessKeyId, LocalAccount.SecretAccessKey),
        new AmazonDynamoDBConfig { ServiceURL = endpoint, AuthenticationRegion = LocalAccount.Region });

    /// <summary>
    /// Signs a request for one of the local cloud's AWS endpoints (the Invoke API: <c>lambda</c>; the Cognito front:
    /// <c>cognito-idp</c>; the S3 front: <c>s3</c>; the model server: <c>sagemaker</c>) with the local credentials, as an
    /// AWS SDK would; what tests and the bench send those endpoints by hand goes through here.
    /// </summary>
    /// <param name="request">The request, with its absolute URI, headers and body as they will be sent.</param>
    /// <param name="signingName">The service's signing name.</param>
    /// <param name="payloadHash">The payload hash to sign (e.g. S3's <c>STREAMING-…</c> ones); null: the body's SHA-256.</param>
    /// <param name="cancellationToken">Cancels reading the body.</param>
    public static async Task<HttpRequestMessage> SignedAsync(this HttpRequestMessage request, string signingName,
        string? payloadHash = null, CancellationToken cancellationToken = default)
    {
        var credentials = new ImmutableCredentials(LocalAccount.AccessKeyId, LocalAccount.SecretAccessKey, null);
        var now = TimeProvider.System.GetUtcNow();
        if (payloadHash is null)
            await SigV4.SignAsync(request, credentials, LocalAccount.Region, signingName, now, cancellationToken);
        else
            SigV4.Sign(request, credentials, LocalAccount.Region, signingName, now, payloadHash);
        return request;
    }

    /// <summary>
    /// A client for the S3 emulator or the S3 front at <paramref name="endpoint"/> (the <c>S3Endpoint</c> output), path-style:
    /// a local endpoint is an IP address and port, so a bucket cannot be a host name.
    /// </summary>
    public static AmazonS3Client S3(string endpoint) => new(
        new BasicAWSCredentials(LocalAccount.AccessKeyId, LocalAccount.SecretAccessKey),
        new AmazonS3Config { ServiceURL = endpoint, ForcePathStyle = true, AuthenticationRegion = LocalAccount.Region });
}
