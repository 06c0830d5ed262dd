using System.Security.Cryptography;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.S3;
using Serverless.ServiceDefaults;

namespace Serverless.Uploads.Tests;

/// <summary>
/// The presigned URLs, checked against SigV4 as S3 documents it (query-string authentication, path-style for an IP
/// endpoint): the signature is recomputed here, independently of the SDK, from the key, the content type and the expiry.
/// </summary>
public sealed class PresignedRequestTests : IAsyncLifetime
{
    private const string Bucket = "serverless-local-files-000000000000-us-east-1";
    private const string Endpoint = "http://127.0.0.1:4599";
    private const string AccessKey = "ASIAEXAMPLEKEY";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string SessionToken = "session-token/with+symbols=";
    private const string Sub = "11111111-2222-3333-4444-555555555555";
    private const string UploadId = "0199c0ffee0000000000000000000001";

    private static readonly UploadRepository Repository = new(
        new AmazonDynamoDBClient(
            new BasicAWSCredentials("unused", "unused"), new AmazonDynamoDBConfig { ServiceURL = "http://127.0.0.1:1" }),
        new AmazonS3Client(new SessionAWSCredentials(AccessKey, SecretKey, SessionToken),
            new AmazonS3Config { ServiceURL = Endpoint, AuthenticationRegion = "us-east-1" }),
        new Table("unused"), Bucket, TimeProvider.System);

    /// <summary>A cold first presign (the SDK loading its endpoint data) may take long enough for the SDK to count 899 seconds.</summary>
    public Task InitializeAsync() => Repository.PresignUploadAsync(Sub, UploadId, "warm-up.csv", "text/csv", 1);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_upload_URL_is_a_path_style_http_PUT_of_exactly_the_object_key()
    {
        var request = await Repository.PresignUploadAsync(Sub, UploadId, "my reviews ü.csv", "text/csv; charset=utf-8", 4005);

        var url = new Uri(request.Url);
        Assert.Equal("PUT", request.Method);
        Assert.Equal("http", url.Scheme);
        Assert.Equal("127.0.0.1:4599", url.Authority);
        Assert.Equal($"/{Bucket}/uploads/{Sub}/{UploadId}/my%20reviews%20%C3%BC.csv", url.AbsolutePath);
        Assert.Equal(
            new Dictionary<string, string> { ["Content-Type"] = "text/csv; charset=utf-8", ["If-None-Match"] = "*" }, request.Headers);
    }

    [Fact]
    public async Task The_upload_URL_is_signed_SigV4_for_s3_in_us_east_1_for_15_minutes_with_the_size_type_host_and_no_overwrite()
    {
        var request = await Repository.PresignUploadAsync(Sub, UploadId, "a.csv", "text/csv", 10);

        var query = Query(request.Url);
        Assert.Equal(
            [
                "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-Security-Token", "X-Amz-Signature",
                "X-Amz-SignedHeaders",
            ],
            query.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("AWS4-HMAC-SHA256", query["X-Amz-Algorithm"]);
        Assert.Matches($"^{AccessKey}/[0-9]{{8}}/us-east-1/s3/aws4_request$", query["X-Amz-Credential"]);
        Assert.Equal("900", query["X-Amz-Expires"]);
        Assert.Equal(UploadSignedHeaders, query["X-Amz-SignedHeaders"]);
        Assert.Equal(SessionToken, query["X-Amz-Security-Token"]);
        var signedAt = DateTimeOffset.ParseExact(
            query["X-Amz-Date"], "yyyyMMdd'T'HHmmss'Z'", null, System.Globalization.DateTimeStyles.AssumeUniversal);
        Assert.InRange(request.ExpiresAt - signedAt, TimeSpan.FromSeconds(899), TimeSpan.FromSeconds(901));
    }

    [Fact]
    public async Task The_upload_signature_covers_the_key_the_content_type_the_size_the_no_overwrite_and_the_expiry()
    {
        var request = await Repository.PresignUploadAsync(Sub, UploadId, "my reviews ü.csv", "text/csv; charset=utf-8", 4005);

        var query = Query(request.Url);
        var url = new Uri(request.Url);
        string Headers(string contentType, long size, string ifNoneMatch = "*") =>
            $"content-length:{size}\ncontent-type:{contentType}\nhost:{url.Authority}\nif-none-match:{ifNoneMatch}\n";
        var signature = query["X-Amz-Signature"];
        Assert.Equal(Signature("PUT", url, query, Headers("text/csv; charset=utf-8", 4005), UploadSignedHeaders), signature);
        Assert.NotEqual(Signature("PUT", url, query, Headers("text/plain", 4005), UploadSignedHeaders), signature);
        Assert.NotEqual(Signature("PUT", url, query, Headers("text/csv; charset=utf-8", 10), UploadSignedHeaders), signature);
    }

    [Fact]
    public async Task The_results_URL_is_a_signed_GET_of_the_result_file_saved_as_an_attachment()
    {
        var request = await Repository.PresignResultsAsync(Sub, UploadId, GetUploadResults.DownloadName("my reviews ü.csv"));

        var url = new Uri(request.Url);
        var query = Query(request.Url);
        Assert.Equal("GET", request.Method);
        Assert.Equal($"/{Bucket}/results/{Sub}/{UploadId}.jsonl", url.AbsolutePath);
        Assert.Equal("""attachment; filename="my reviews _.results.jsonl"; filename*=UTF-8''my%20reviews%20%C3%BC.results.jsonl""",
            query["response-content-disposition"]);
        Assert.Equal("host", query["X-Amz-SignedHeaders"]);
        Assert.Equal("900", query["X-Amz-Expires"]);
        Assert.Equal(Signature("GET", url, query, $"host:{url.Authority}\n", "host"), query["X-Amz-Signature"]);
    }

    private const string UploadSignedHeaders = "content-length;content-type;host;if-none-match";

    private static Dictionary<string, string> Query(string url) => new Uri(url).Query.TrimStart('?').Split('&')
        .Select(pair => pair.Split('=', 2))
        .ToDictionary(pair => Uri.UnescapeDataString(pair[0]), pair => Uri.UnescapeDataString(pair[1]));

    /// <summary>SigV4 query-string authentication for S3: the path as sent, the query without the signature, an unsigned payload.</summary>
    private static string Signature(string method, Uri url, Dictionary<string, string> query, string canonicalHeaders, string signedHeaders)
    {
        var canonicalQuery = string.Join('&', query.Where(pair => pair.Key != "X-Amz-Signature")
            .Select(pair => $"{Uri.EscapeDataString(pair.Key)}={Uri.EscapeDataString(pair.Value)}")
            .Order(StringComparer.Ordinal));
        var canonicalRequest =
            string.Join('\n', method, url.AbsolutePath, canonicalQuery, canonicalHeaders, signedHeaders, "UNSIGNED-PAYLOAD");
        var amzDate = query["X-Amz-Date"];
        var scope = $"{amzDate[..8]}/us-east-1/s3/aws4_request";
        var stringToSign =
            string.Join('\n', "AWS4-HMAC-SHA256", amzDate, scope, Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));
        var key = Encoding.UTF8.GetBytes("AWS4" + SecretKey);
        foreach (var part in new[] { amzDate[..8], "us-east-1", "s3", "aws4_request" })
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        return Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
