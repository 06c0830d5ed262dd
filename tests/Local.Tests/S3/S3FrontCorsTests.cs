using System.Net;
using Amazon.S3.Model;

namespace Serverless.Local.Tests.S3;

/// <summary>CORS through the S3 front, answered from the bucket's rules as S3 answers (rules in <see
/// cref="S3Fixture.CorsRules"/>).</summary>
public sealed class S3FrontCorsTests(S3Fixture s3) : IClassFixture<S3Fixture>
{
    private const string Vary = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method";

    [Fact]
    public async Task An_allowed_preflight_echoes_the_origin_and_the_requested_headers()
    {
        using var response = await PreflightAsync(S3Fixture.CorsBucket, "uploads/a.csv", "http://localhost:5173", "PUT",
            "Content-Type, X-Amz-Date");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("http://localhost:5173", Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal("true", Header(response, "Access-Control-Allow-Credentials"));
        Assert.Equal("PUT, GET, HEAD", Header(response, "Access-Control-Allow-Methods"));
        Assert.Equal("content-type, x-amz-date", Header(response, "Access-Control-Allow-Headers"));
        Assert.Equal("ETag, x-amz-request-id", Header(response, "Access-Control-Expose-Headers"));
        Assert.Equal("600", Header(response, "Access-Control-Max-Age"));
        Assert.Equal(Vary, Header(response, "Vary"));
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_wildcard_origin_rule_allows_any_origin_with_a_star()
    {
        using var subdomain = await PreflightAsync(S3Fixture.CorsBucket, "a.txt", "https://app.example.com", "HEAD", null);
        using var anyone = await PreflightAsync(S3Fixture.CorsBucket, "a.txt", "https://elsewhere.test", "GET", null);

        Assert.Equal("https://app.example.com", Header(subdomain, "Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.OK, anyone.StatusCode);
        Assert.Equal("*", Header(anyone, "Access-Control-Allow-Origin"));
        Assert.Null(Header(anyone, "Access-Control-Allow-Credentials"));
        Assert.Null(Header(anyone, "Access-Control-Max-Age"));
    }

    [Theory]
    [InlineData("https://evil.test", "PUT", null)]             // origin not allowed for PUT
    [InlineData("http://localhost:5173", "DELETE", null)]      // method not allowed
    [InlineData("http://localhost:5173", "PUT", "x-custom")]   // header not allowed
    public async Task A_disallowed_preflight_is_403_with_S3s_CORSResponse_error(string origin, string method, string? headers)
    {
        using var response = await PreflightAsync(S3Fixture.CorsBucket, "uploads/a.csv", origin, method, headers);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/xml", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<Error><Code>AccessForbidden</Code><Message>CORSResponse: This CORS request is not allowed.", body);
        Assert.Contains($"<Method>{method}</Method><ResourceType>OBJECT</ResourceType><RequestId>", body);
        Assert.Null(Header(response, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task A_bucket_without_CORS_refuses_every_preflight_and_one_without_origin_is_a_bad_request()
    {
        using var noCors = await PreflightAsync(S3Fixture.Bucket, "a.txt", "http://localhost:5173", "GET", null);
        using var noOrigin = await PreflightAsync(S3Fixture.CorsBucket, "a.txt", null, "GET", null);

        Assert.Equal(HttpStatusCode.Forbidden, noCors.StatusCode);
        Assert.Contains(
            "<Message>CORSResponse: CORS is not enabled for this bucket.</Message><Method>GET</Method><ResourceType>BUCKET</ResourceType>",
            await noCors.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, noOrigin.StatusCode);
        Assert.Contains("<Code>BadRequest</Code><Message>Insufficient information. Origin request header needed.</Message>",
            await noOrigin.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_actual_request_from_an_allowed_origin_gets_the_CORS_headers_and_others_do_not()
    {
        var key = $"cors/{Guid.NewGuid():N}.txt";
        using (var client = s3.Client())
            await client.PutObjectAsync(new PutObjectRequest { BucketName = S3Fixture.CorsBucket, Key = key, ContentBody = "hi" });
        using var http = new HttpClient();

        using var allowed = await GetAsync(http, key, "http://localhost:5173");
        using var refused = await GetAsync(http, key, "https://evil.test:8443");
        using var noOrigin = await GetAsync(http, key, null);

        Assert.Equal("hi", await allowed.Content.ReadAsStringAsync());
        Assert.Equal("http://localhost:5173", Header(allowed, "Access-Control-Allow-Origin"));
        Assert.Equal("ETag, x-amz-request-id", Header(allowed, "Access-Control-Expose-Headers"));
        Assert.Equal(Vary, Header(allowed, "Vary"));
        Assert.Equal("*", Header(refused, "Access-Control-Allow-Origin")); // the second rule: GET from anywhere
        Assert.Null(Header(noOrigin, "Access-Control-Allow-Origin"));
    }

    private async Task<HttpResponseMessage> GetAsync(HttpClient http, string key, string? origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{s3.Front.Endpoint}/{S3Fixture.CorsBucket}/{key}");
        if (origin is not null) request.Headers.Add("Origin", origin);
        return await http.SendAsync(await request.SignedAsync("s3"));
    }

    private async Task<HttpResponseMessage> PreflightAsync(string bucket, string key, string? origin, string method, string? headers)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Options, $"{s3.Front.Endpoint}/{bucket}/{key}");
        if (origin is not null) request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        if (headers is not null) request.Headers.Add("Access-Control-Request-Headers", headers);
        return await http.SendAsync(request);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : null;
}
