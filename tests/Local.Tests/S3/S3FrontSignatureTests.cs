using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Serverless.Kernel.Aws;

namespace Serverless.Local.Tests.S3;

/// <summary>
/// The S3 front checks SigV4 as S3 does, for header-signed requests and presigned URLs made with the local credentials:
/// a changed key, content type or date is refused with 403 <c>SignatureDoesNotMatch</c>, an unsigned request with 403
/// <c>AccessDenied</c>, and none of them stores anything. A key with dot segments never reaches s3rver.
/// </summary>
public sealed class S3FrontSignatureTests(S3Fixture s3) : IClassFixture<S3Fixture>
{
    private readonly HttpClient http = new();

    private async Task<string> PresignPutAsync(string key, string contentType = "text/csv")
    {
        using var client = s3.Client();
        return await client.GetPreSignedURLAsync(new GetPreSignedUrlRequest
        {
            BucketName = S3Fixture.Bucket, Key = key, Verb = HttpVerb.PUT, Expires = DateTime.UtcNow.AddMinutes(5),
            ContentType = contentType, Protocol = Protocol.HTTP,
        });
    }

    /// <summary>A body with exactly the Content-Type the URLs here sign.</summary>
    private static StringContent Csv(string text) => new(text, new MediaTypeHeaderValue("text/csv"));

    private async Task<bool> ExistsAsync(string key)
    {
        using var client = s3.Client();
        try
        {
            await client.GetObjectMetadataAsync(S3Fixture.Bucket, key);
            return true;
        }
        catch (AmazonS3Exception missing) when (missing.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage answer, HttpStatusCode status, string code)
    {
        var body = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == status, $"{(int)answer.StatusCode} {body}");
        Assert.Contains($"<Code>{code}</Code>", body);
    }

    [Fact]
    public async Task A_presigned_put_stores_what_it_signed()
    {
        var key = $"signed/{Guid.NewGuid():N}/a b.csv";

        using var put = await http.PutAsync(await PresignPutAsync(key), Csv("a,b\n"));

        Assert.True(put.IsSuccessStatusCode, $"{(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
        Assert.True(await ExistsAsync(key));
    }

    [Fact]
    public async Task A_presigned_put_with_another_content_type_is_refused()
    {
        var key = $"signed/{Guid.NewGuid():N}.csv";

        using var put = await http.PutAsync(await PresignPutAsync(key),
            new StringContent("<html/>", new MediaTypeHeaderValue("text/html")));

        await AssertRefusedAsync(put, HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
        Assert.False(await ExistsAsync(key));
    }

    [Fact]
    public async Task A_presigned_put_to_another_key_is_refused()
    {
        var key = $"signed/{Guid.NewGuid():N}.csv";
        var other = $"signed/{Guid.NewGuid():N}.csv";
        var url = (await PresignPutAsync(key)).Replace(key, other, StringComparison.Ordinal);

        using var put = await http.PutAsync(url, Csv("a,b\n"));

        await AssertRefusedAsync(put, HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
        Assert.False(await ExistsAsync(other));
    }

    [Fact]
    public async Task A_presigned_url_with_a_changed_date_is_refused()
    {
        var key = $"signed/{Guid.NewGuid():N}.csv";
        var url = await PresignPutAsync(key);
        var earlier = Regex.Replace(url, @"X-Amz-Date=(\d{8}T\d{4})(\d{2})Z",
            match => $"X-Amz-Date={match.Groups[1].Value}{(int.Parse(match.Groups[2].Value) + 59) % 60:00}Z");

        using var put = await http.PutAsync(earlier, Csv("a,b\n"));

        await AssertRefusedAsync(put, HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
        Assert.False(await ExistsAsync(key));
    }

    [Fact]
    public async Task An_unsigned_put_is_refused()
    {
        var key = $"unsigned/{Guid.NewGuid():N}.csv";

        using var put = await http.PutAsync($"{s3.Front.Endpoint}/{S3Fixture.Bucket}/{key}", new StringContent("a,b\n"));

        await AssertRefusedAsync(put, HttpStatusCode.Forbidden, "AccessDenied");
        Assert.False(await ExistsAsync(key));
    }

    [Theory]
    [InlineData("local", "wrong", "SignatureDoesNotMatch")]
    [InlineData("AKIAOTHER", "local", "InvalidAccessKeyId")]
    public async Task A_put_signed_with_other_credentials_is_refused(string accessKey, string secretKey, string code)
    {
        var key = $"other/{Guid.NewGuid():N}.csv";
        using var request = new HttpRequestMessage(HttpMethod.Put,
            $"{s3.Front.Endpoint}/{S3Fixture.Bucket}/{key}") { Content = new StringContent("a,b\n") };
        await SigV4.SignAsync(request, new ImmutableCredentials(accessKey, secretKey, null), "us-east-1", "s3", DateTimeOffset.UtcNow,
            CancellationToken.None);

        using var put = await http.SendAsync(request);

        await AssertRefusedAsync(put, HttpStatusCode.Forbidden, code);
        Assert.False(await ExistsAsync(key));
    }

    [Fact]
    public async Task A_key_with_an_encoded_dot_dot_segment_is_refused_and_nothing_lands_outside_the_data_folder()
    {
        var marker = $"escape-{Guid.NewGuid():N}";
        using var request = new HttpRequestMessage(HttpMethod.Put,
            $"{s3.Front.Endpoint}/{S3Fixture.Bucket}/..%2F..%2F{marker}.txt") { Content = new StringContent("outside") };

        using var put = await http.SendAsync(await request.SignedAsync("s3"));

        await AssertRefusedAsync(put, HttpStatusCode.BadRequest, "InvalidArgument");
        // s3rver keeps {bucket}/{key} in its folder: ../../ from a bucket lands beside that folder.
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(s3.DataDirectory)!, $"*{marker}*"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(s3.DataDirectory, $"*{marker}*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_copy_from_a_dot_dot_source_is_refused()
    {
        var key = $"copy/{Guid.NewGuid():N}.txt";
        using var request = new HttpRequestMessage(HttpMethod.Put, $"{s3.Front.Endpoint}/{S3Fixture.Bucket}/{key}");
        request.Headers.TryAddWithoutValidation("x-amz-copy-source", $"{S3Fixture.Bucket}/..%2F..%2Fetc%2Fhostname");

        using var put = await http.SendAsync(await request.SignedAsync("s3"));

        await AssertRefusedAsync(put, HttpStatusCode.BadRequest, "InvalidArgument");
        Assert.False(await ExistsAsync(key));
    }
}
