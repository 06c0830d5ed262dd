using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Serverless.Local.Lambda;

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

    /// <summary>
    /// GetPreSignedURL takes its scheme from the request's Protocol (HTTPS unless told), never from the endpoint, so
    /// function code that presigns must take the endpoint's scheme: <c>client.Config.ServiceURL</c> is null on AWS
    /// (HTTPS) and the local endpoint here.
    /// </summary>
    [Fact]
    public async Task A_presigned_put_takes_a_browser_upload_when_it_uses_the_endpoints_scheme()
    {
        var key = $"uploads/{Guid.NewGuid():N}/from the browser.csv";
        using var client = PlainClient();
        GetPreSignedUrlRequest Request() => new()
        {
            BucketName = S3Fixture.Bucket, Key = key, Verb = HttpVerb.PUT, Expires = DateTime.UtcNow.AddMinutes(5),
                ContentType = "text/csv",
        };
        var presign = Request();
        presign.Protocol = client.Config.ServiceURL?.StartsWith("http://", StringComparison.Ordinal) == true ? Protocol.HTTP
            : Protocol.HTTPS;
        var url = await client.GetPreSignedURLAsync(presign);
        using var http = new HttpClient();

        // Exactly the signed Content-Type (a "; charset=utf-8" added is another one).
        using var put = await http.PutAsync(url, new StringContent("a,b\n1,2\n",
            new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv")));

        Assert.StartsWith("https://", await client.GetPreSignedURLAsync(Request()));
        Assert.StartsWith(s3.Front.Endpoint + "/" + S3Fixture.Bucket + "/", url);
        Assert.True(put.IsSuccessStatusCode, $"{(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
        Assert.Equal(8, (await s3.EventAsync(key, "ObjectCreated:Put")).Size);
    }

    /// <summary>A client made as function code makes it, while AWS_ENDPOINT_URL_S3 is set (AWSSDK.Core reads it then).</summary>
    private AmazonS3Client PlainClient()
    {
        var saved = Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3");
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_S3", s3.Front.Endpoint);
        try
        {
            return new AmazonS3Client(new BasicAWSCredentials(LocalAccount.AccessKeyId, LocalAccount.SecretAccessKey),
                RegionEndpoint.USEast1);
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_S3", saved);
        }
    }
}
