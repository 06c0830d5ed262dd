using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Serverless.Local.Tests.S3;

/// <summary>Function code makes a plain client; the local cloud only sets <c>AWS_ENDPOINT_URL_S3</c> (to the front).</summary>
public sealed class S3FrontEndpointTests(S3Fixture s3) : IClassFixture<S3Fixture>
{
    [Fact]
    public async Task A_client_configured_only_by_AWS_ENDPOINT_URL_S3_addresses_buckets_path_style()
    {
        var key = $"endpoint/{Guid.NewGuid():N}.txt";
        using var client = PlainClient();

        await client.PutObjectAsync(new PutObjectRequest { BucketName = S3Fixture.Bucket, Key = key, ContentBody = "plain client" });
        using var got = await client.GetObjectAsync(S3Fixture.Bucket, key);
        using var reader = new StreamReader(got.ResponseStream);

        // A virtual-hosted request would have gone to plain-bucket.127.0.0.1, a name that does not resolve.
        Assert.Equal("plain client", await reader.ReadToEndAsync());
        Assert.Equal(S3Fixture.Bucket, (await s3.EventAsync(key, "ObjectCreated:Put")).Bucket);
    }

    /// <summary>A client made as function code makes it, while AWS_ENDPOINT_URL_S3 is set (AWSSDK.Core reads it then).</summary>
    private AmazonS3Client PlainClient()
    {
        var saved = Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3");
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_S3", s3.Front.Endpoint);
        try
        {
            return new AmazonS3Client(new BasicAWSCredentials("AKIALOCALTEST", "secret"), RegionEndpoint.USEast1);
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_S3", saved);
        }
    }
}
