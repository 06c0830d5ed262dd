using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace Serverless.Local.Tests.S3;

/// <summary>
/// Conditional requests through the S3 front, which the emulator alone ignores: a write with <c>If-None-Match: *</c>
/// never replaces an object, and a read or write with <c>If-Match</c> touches only the object with that ETag.
/// </summary>
public sealed class S3FrontPreconditionsTests(S3Fixture s3) : IClassFixture<S3Fixture>
{
    private const string Bucket = S3Fixture.Bucket;

    [Fact]
    public async Task A_put_with_If_None_Match_star_writes_a_new_key_once_and_is_refused_412_once_it_exists()
    {
        using var client = s3.Client();
        var key = $"uploads/{Guid.NewGuid():N}/once.csv";

        await client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, ContentBody = "first", IfNoneMatch = "*" });
        var refused = await Assert.ThrowsAsync<AmazonS3Exception>(() =>
            client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, ContentBody = "second", IfNoneMatch = "*" }));

        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.Equal("PreconditionFailed", refused.ErrorCode);
        Assert.Equal("first", await TextAsync(client, key));
    }

    [Fact]
    public async Task Of_concurrent_puts_with_If_None_Match_star_to_one_key_exactly_one_is_stored()
    {
        using var client = s3.Client();
        var key = $"uploads/{Guid.NewGuid():N}/race.csv";

        var puts = Enumerable.Range(0, 8).Select(async i =>
        {
            try
            {
                await client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, ContentBody = $"writer {i}",
                    IfNoneMatch = "*" });
                return $"writer {i}";
            }
            catch (AmazonS3Exception refused) when (refused.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                return null;
            }
        }).ToList();
        var winners = (await Task.WhenAll(puts)).OfType<string>().ToList();

        Assert.Single(winners);
        Assert.Equal(winners[0], await TextAsync(client, key));
    }

    [Fact]
    public async Task A_multipart_upload_completed_with_If_None_Match_star_over_an_existing_key_is_refused_412()
    {
        using var client = s3.Client();
        var key = $"uploads/{Guid.NewGuid():N}/multi.csv";
        await client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, ContentBody = "already here" });
        var upload = await client.InitiateMultipartUploadAsync(Bucket, key);
        var part = await client.UploadPartAsync(new UploadPartRequest
        {
            BucketName = Bucket, Key = key, UploadId = upload.UploadId, PartNumber = 1,
                InputStream = new MemoryStream("replacement"u8.ToArray()),
        });

        var refused = await Assert.ThrowsAsync<AmazonS3Exception>(() =>
            client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = Bucket, Key = key, UploadId = upload.UploadId, PartETags = [new PartETag(1, part.ETag)], IfNoneMatch = "*",
        }));

        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.Equal("already here", await TextAsync(client, key));
    }

    [Fact]
    public async Task A_get_or_head_with_If_Match_reads_only_the_object_with_that_ETag()
    {
        using var client = s3.Client();
        var key = $"uploads/{Guid.NewGuid():N}/read.csv";
        var first = await client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, ContentBody = "first" });

        using (var same = await client.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = key, EtagToMatch = first.ETag }))
            Assert.Equal(HttpStatusCode.OK, same.HttpStatusCode);
        using (var unquoted = await client.GetObjectAsync(new GetObjectRequest
               {
                   BucketName = Bucket, Key = key, EtagToMatch = first.ETag.Trim('"'), ByteRange = new ByteRange(0, 2),
               }))
            Assert.Equal(HttpStatusCode.PartialContent, unquoted.HttpStatusCode);
        await client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, ContentBody = "replaced" });

        var get = await Assert.ThrowsAsync<AmazonS3Exception>(() =>
            client.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = key, EtagToMatch = first.ETag }));
        var head = await Assert.ThrowsAsync<AmazonS3Exception>(() =>
            client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = key, EtagToMatch = first.ETag }));

        Assert.Equal(HttpStatusCode.PreconditionFailed, get.StatusCode);
        Assert.Equal("PreconditionFailed", get.ErrorCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, head.StatusCode);
    }

    [Fact]
    public async Task A_put_with_If_Match_replaces_only_the_object_with_that_ETag_and_none_that_is_missing()
    {
        using var client = s3.Client();
        var key = $"uploads/{Guid.NewGuid():N}/swap.csv";
        var first = await client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, ContentBody = "first" });

        await client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, ContentBody = "second", IfMatch = first.ETag });
        var stale = await Assert.ThrowsAsync<AmazonS3Exception>(() =>
            client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, ContentBody = "third", IfMatch = first.ETag }));
        var missing = await Assert.ThrowsAsync<AmazonS3Exception>(() => client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = Bucket, Key = key + ".missing", ContentBody = "x", IfMatch = first.ETag,
        }));

        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("NoSuchKey", missing.ErrorCode);
        Assert.Equal("second", await TextAsync(client, key));
    }

    private static async Task<string> TextAsync(AmazonS3Client client, string key)
    {
        using var response = await client.GetObjectAsync(Bucket, key);
        using var reader = new StreamReader(response.ResponseStream);
        return await reader.ReadToEndAsync();
    }
}
