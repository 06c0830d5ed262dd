using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.S3;
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
    /// A client for the S3 emulator or the S3 front at <paramref name="endpoint"/> (the <c>S3Endpoint</c> output), path-style:
    /// a local endpoint is an IP address and port, so a bucket cannot be a host name.
    /// </summary>
    public static AmazonS3Client S3(string endpoint) => new(
        new BasicAWSCredentials(LocalAccount.AccessKeyId, LocalAccount.SecretAccessKey),
        new AmazonS3Config { ServiceURL = endpoint, ForcePathStyle = true, AuthenticationRegion = LocalAccount.Region });
}
