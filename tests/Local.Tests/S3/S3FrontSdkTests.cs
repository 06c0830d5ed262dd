using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Amazon.S3;
using Amazon.S3.Model;
using Serverless.Local.Emulators;

namespace Serverless.Local.Tests.S3;

/// <summary>AWSSDK.S3 with its default settings (aws-chunked bodies with trailing checksums) through the S3 front.</summary>
public sealed class S3FrontSdkTests(S3Fixture s3) : IClassFixture<S3Fixture>
{
    private const string Bucket = S3Fixture.Bucket;

    [Fact]
    public async Task A_put_object_is_stored_byte_exact_and_reported_with_its_raw_key()
    {
        using var client = s3.Client();
        var key = $"uploads/{Guid.NewGuid():N}/my file é ü 日本.csv";
        var body = RandomNumberGenerator.GetBytes(200_000);

        var put = await client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key,
            InputStream = new MemoryStream(body) });

        Assert.Equal(body, await GetBytesAsync(client, key));
        var md5 = Convert.ToHexStringLower(MD5.HashData(body));
        Assert.Equal($"\"{md5}\"", put.ETag);
        var reported = await s3.EventAsync(key, "ObjectCreated:Put");
        Assert.Equal(new S3ObjectEvent(Bucket, key, "ObjectCreated:Put", body.Length, md5, reported.EventTime, "127.0.0.1"), reported);
        Assert.InRange(reported.EventTime, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task A_multipart_upload_is_stored_byte_exact_and_reported_as_CompleteMultipartUpload()
    {
        using var client = s3.Client();
        var key = $"uploads/{Guid.NewGuid():N}/big.bin";
        var parts = new[] { RandomNumberGenerator.GetBytes(5 * 1024 * 1024), RandomNumberGenerator.GetBytes(1234) };

        var upload = await client.InitiateMultipartUploadAsync(Bucket, key);
        var etags = new List<PartETag>();
        for (var i = 0; i < parts.Length; i++)
        {
            var part = await client.UploadPartAsync(new UploadPartRequest
            {
                BucketName = Bucket, Key = key, UploadId = upload.UploadId, PartNumber = i + 1, InputStream = new MemoryStream(parts[i]),
            });
            etags.Add(new PartETag(i + 1, part.ETag));
        }
        var completed = await client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = Bucket, Key = key, UploadId = upload.UploadId, PartETags = etags,
        });

        var whole = parts[0].Concat(parts[1]).ToArray();
        Assert.Equal(whole, await GetBytesAsync(client, key));
        // S3's multipart ETag: the MD5 of the parts' MD5s, then the part count.
        var etag = Convert.ToHexStringLower(MD5.HashData(parts.SelectMany(MD5.HashData).ToArray())) + "-2";
        Assert.Equal($"\"{etag}\"", completed.ETag);
        Assert.Equal($"\"{etag}\"", (await client.GetObjectMetadataAsync(Bucket, key)).ETag);
        var reported = await s3.EventAsync(key, "ObjectCreated:CompleteMultipartUpload");
        Assert.Equal((whole.Length, etag), (reported.Size, reported.ETag));
        Assert.DoesNotContain(s3.Events, e => e.Key == key && e.EventName == "ObjectCreated:Post");
    }

    [Fact]
    public async Task An_aborted_multipart_upload_stores_nothing_and_its_id_is_then_unknown()
    {
        using var client = s3.Client();
        var key = $"results/{Guid.NewGuid():N}.jsonl";
        var upload = await client.InitiateMultipartUploadAsync(Bucket, key);
        var part = await client.UploadPartAsync(new UploadPartRequest
        {
            BucketName = Bucket, Key = key, UploadId = upload.UploadId, PartNumber = 1,
                InputStream = new MemoryStream(RandomNumberGenerator.GetBytes(1000)),
        });

        var aborted = await client.AbortMultipartUploadAsync(Bucket, key, upload.UploadId);

        Assert.Equal(HttpStatusCode.NoContent, aborted.HttpStatusCode);
        var complete = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() =>
            client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = Bucket, Key = key, UploadId = upload.UploadId, PartETags = [new PartETag(1, part.ETag)],
        }));
        var again = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => client.AbortMultipartUploadAsync(Bucket, key, upload.UploadId));
        var unknown = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => client.UploadPartAsync(new UploadPartRequest
        {
            BucketName = Bucket, Key = key, UploadId = "0123456789abcdef0123456789abcdef", PartNumber = 1,
                InputStream = new MemoryStream([1, 2, 3]),
        }));
        Assert.All([complete, again, unknown], error => Assert.Equal(("NoSuchUpload", HttpStatusCode.NotFound),
            (error.ErrorCode, error.StatusCode)));
        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAsync<AmazonS3Exception>(() =>
            client.GetObjectMetadataAsync(Bucket, key))).StatusCode);
    }

    [Fact]
    public async Task Copy_and_delete_are_reported()
    {
        using var client = s3.Client();
        var source = $"copy/{Guid.NewGuid():N}/source.txt";
        var target = $"copy/{Guid.NewGuid():N}/target.txt";
        await client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = source, ContentBody = "copy me" });

        await client.CopyObjectAsync(Bucket, source, Bucket, target);
        await client.DeleteObjectAsync(Bucket, source);

        var copied = await s3.EventAsync(target, "ObjectCreated:Copy");
        Assert.Equal((7L, Convert.ToHexStringLower(MD5.HashData("copy me"u8))), (copied.Size, copied.ETag));
        var removed = await s3.EventAsync(source, "ObjectRemoved:Delete");
        Assert.Equal((null, null), (removed.Size, removed.ETag));
        var missing = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => client.GetObjectAsync(Bucket, source));
        Assert.Equal(("NoSuchKey", HttpStatusCode.NotFound), (missing.ErrorCode, missing.StatusCode));
    }

    [Fact]
    public async Task A_multi_object_delete_reports_each_removal()
    {
        using var client = s3.Client();
        var keys = new[] { $"batch/{Guid.NewGuid():N}/one.txt", $"batch/{Guid.NewGuid():N}/two.txt" };
        foreach (var key in keys)
            await client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, ContentBody = key });

        var deleted = await client.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = Bucket, Objects = [.. keys.Select(key => new KeyVersion { Key = key })],
        });

        Assert.Equal(keys.Order(), deleted.DeletedObjects.Select(o => o.Key).Order());
        foreach (var key in keys)
            Assert.Equal(HttpStatusCode.NotFound,
                (await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => client.GetObjectMetadataAsync(Bucket, key))).StatusCode);
        foreach (var key in keys)
            Assert.Null((await s3.EventAsync(key, "ObjectRemoved:Delete")).Size);
    }

    [Fact]
    public async Task Listings_page_with_continuation_tokens()
    {
        using var client = s3.Client();
        var prefix = $"list/{Guid.NewGuid():N}/";
        foreach (var name in new[] { "a.txt", "b.txt", "c.txt" })
            await client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = prefix + name, ContentBody = name });

        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix, MaxKeys = 2 };
        ListObjectsV2Response page;
        do
        {
            page = await client.ListObjectsV2Async(request);
            keys.AddRange(page.S3Objects.Select(o => o.Key));
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);

        Assert.Equal([prefix + "a.txt", prefix + "b.txt", prefix + "c.txt"], keys);
    }

    [Fact]
    public async Task A_presigned_url_works_until_it_expires()
    {
        using var client = s3.Client();
        var key = $"presigned/{Guid.NewGuid():N}.txt";
        await client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, ContentBody = "shared" });
        string Presign(DateTime expires) => client.GetPreSignedURL(new GetPreSignedUrlRequest
        {
            BucketName = Bucket, Key = key, Verb = HttpVerb.GET, Expires = expires, Protocol = Protocol.HTTP,
        });
        using var http = new HttpClient();

        Assert.Equal("shared", await http.GetStringAsync(Presign(DateTime.UtcNow.AddMinutes(5))));

        // Signed at the start of 2020 for 5 minutes (S3 checks the expiry before the signature).
        var signedEarlier = Regex.Replace(Regex.Replace(Presign(DateTime.UtcNow.AddMinutes(5)),
            @"X-Amz-Date=\d{8}T\d{6}Z", "X-Amz-Date=20200101T000000Z"), @"X-Amz-Expires=\d+", "X-Amz-Expires=300");
        using var expired = await http.GetAsync(signedEarlier);
        var body = await expired.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);
        Assert.Contains("<Code>AccessDenied</Code><Message>Request has expired</Message><X-Amz-Expires>300</X-Amz-Expires>" +
            "<Expires>2020-01-01T00:05:00Z</Expires>", body);
    }

    [Fact]
    public async Task A_broken_aws_chunked_body_is_refused_and_stores_nothing()
    {
        using var http = new HttpClient();
        var key = $"broken/{Guid.NewGuid():N}.txt";
        using var request = new HttpRequestMessage(HttpMethod.Put, $"{s3.Front.Endpoint}/{Bucket}/{key}")
        {
            Content = new ByteArrayContent(Encoding.ASCII.GetBytes("5\r\nhello\r\n0\r\n\r\n")),
        };
        request.Headers.TryAddWithoutValidation("x-amz-decoded-content-length", "6");
        request.Content.Headers.TryAddWithoutValidation("Content-Encoding", "aws-chunked");

        using var response = await http.SendAsync(await request.SignedAsync("s3", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("<Code>IncompleteBody</Code>", body);
        using var client = s3.Client();
        var missing = await Assert.ThrowsAsync<AmazonS3Exception>(() => client.GetObjectMetadataAsync(Bucket, key));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private static async Task<byte[]> GetBytesAsync(AmazonS3Client client, string key)
    {
        using var got = await client.GetObjectAsync(Bucket, key);
        using var buffer = new MemoryStream();
        await got.ResponseStream.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}
