using Amazon.Runtime;
using Serverless.Kernel.Aws;

namespace Serverless.Kernel.Tests.Aws;

/// <summary>
/// AWS's Signature Version 4 test suite (aws-sig-v4-test-suite: credential scope AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,
/// secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, X-Amz-Date 20150830T123600Z, host example.amazonaws.com), with the
/// published Authorization headers. The expected values are the suite's .authz files as carried by aws/aws-sdk-js-v3
/// (packages/signature-v4/src/suite.fixture.ts) and awslabs/aws-c-auth (tests/aws-signing-test-suite/v4/*/header-signed-request.txt).
/// </summary>
public sealed class SigV4TestSuiteTests
{
    private const string AccessKey = "AKIDEXAMPLE";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private static readonly DateTimeOffset SuiteTime = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);
    private const string Scope = "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";

    // The suite's request lines hold raw (unencoded) paths and expect them encoded once: its vectors that need
    // path encoding are signed with the single-encoding (S3-style) path rule; the double rule has its own tests.
    private static readonly SigV4Options SinglePathEncoding = new(DoubleEncodePath: false, IncludeContentSha256Header: false);

    public sealed record Vector(
        string Name, string Method, string PathAndQuery, (string Name, string Value)[] Headers,
        string? Body, string? ContentType, string? Token, string SignedHeaders, string Signature, bool SinglePath = false)
    {
        public override string ToString() => Name;
    }

    private const string StsToken =
        "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8Y" +
        "UuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE" +
        "8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

    private static readonly Vector[] All =
    [
        new("get-vanilla", "GET", "/", [], null, null, null, "host;x-amz-date",
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        new("get-vanilla-query-order-key-case", "GET", "/?Param2=value2&Param1=value1", [], null, null, null, "host;x-amz-date",
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        new("get-vanilla-empty-query-key", "GET", "/?Param1=value1", [], null, null, null, "host;x-amz-date",
            "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"),
        new("get-vanilla-query-unreserved", "GET",
            "/?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" +
            "=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            [], null, null, null, "host;x-amz-date", "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"),
        new("get-vanilla-utf8-query", "GET", "/?ሴ=bar", [], null, null, null, "host;x-amz-date",
            "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
        new("get-unreserved", "GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", [], null, null, null,
            "host;x-amz-date", "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
        new("get-utf8", "GET", "/ሴ", [], null, null, null, "host;x-amz-date",
            "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85", SinglePath: true),
        new("get-space", "GET", "/example space/", [], null, null, null, "host;x-amz-date",
            "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741", SinglePath: true),
        new("get-header-key-duplicate", "GET", "/", [("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1")],
            null, null, null, "host;my-header1;x-amz-date", "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"),
        new("get-header-value-order", "GET", "/",
            [("My-Header1", "value4"), ("My-Header1", "value1"), ("My-Header1", "value3"), ("My-Header1", "value2")],
            null, null, null, "host;my-header1;x-amz-date", "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"),
        new("get-header-value-multiline", "GET", "/", [("My-Header1", "value1,value2,value3")],
            null, null, null, "host;my-header1;x-amz-date", "ba17b383a53190154eb5fa66a1b836cc297cc0a3d70a5d00705980573d8ff790"),
        new("get-header-value-trim", "GET", "/", [("My-Header1", " value1"), ("My-Header2", " \"a   b   c\"")],
            null, null, null, "host;my-header1;my-header2;x-amz-date", "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
        new("post-vanilla", "POST", "/", [], null, null, null, "host;x-amz-date",
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        new("post-vanilla-query", "POST", "/?Param1=value1", [], null, null, null, "host;x-amz-date",
            "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"),
        new("post-vanilla-query-nonunreserved", "POST",
            "/?%40%23%24%25%5E=&%2B=%2F%2C%3F%3E%3C%60%22%3B%3A%5C%7C%5D%5B%7B%7D", [], null, null, null, "host;x-amz-date",
            "66c82657c86e26fb25238d0e69f011edc4c6df5ae71119d7cb98ed9b87393c1e"),
        new("post-header-key-case", "POST", "/", [], null, null, null, "host;x-amz-date",
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        new("post-header-key-sort", "POST", "/", [("My-Header1", "value1")], null, null, null, "host;my-header1;x-amz-date",
            "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"),
        new("post-header-value-case", "POST", "/", [("My-Header1", "VALUE1")], null, null, null, "host;my-header1;x-amz-date",
            "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"),
        new("post-x-www-form-urlencoded", "POST", "/", [], "Param1=value1", "application/x-www-form-urlencoded", null,
            "content-type;host;x-amz-date", "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
        new("post-x-www-form-urlencoded-parameters", "POST", "/", [], "Param1=value1",
            "application/x-www-form-urlencoded; charset=utf8", null,
            "content-type;host;x-amz-date", "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"),
        new("post-sts-header-before", "POST", "/", [], null, null, StsToken, "host;x-amz-date;x-amz-security-token",
            "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"),
        new("get-vanilla-with-session-token (aws-c-auth)", "GET", "/", [], null, null,
            "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267", "host;x-amz-date;x-amz-security-token",
            "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"),
    ];

    public static TheoryData<Vector> Vectors() => new(All);

    [Theory]
    [MemberData(nameof(Vectors))]
    public async Task Signs_like_the_published_vector(Vector vector)
    {
        using var request = Build(vector);
        var credentials = new ImmutableCredentials(AccessKey, SecretKey, vector.Token);

        var result = await SigV4.SignAsync(request, credentials, "us-east-1", "service", SuiteTime, CancellationToken.None,
            vector.SinglePath ? SinglePathEncoding : null);

        var expected = $"AWS4-HMAC-SHA256 Credential={Scope}, SignedHeaders={vector.SignedHeaders}, Signature={vector.Signature}";
        Assert.Equal(expected, result.Authorization);
        Assert.Equal(expected, Single(request, "Authorization"));
        Assert.Equal("20150830T123600Z", Single(request, "X-Amz-Date"));
        Assert.Equal(vector.Token, request.Headers.TryGetValues("X-Amz-Security-Token", out var token) ? token.Single() : null);
        Assert.False(request.Headers.Contains("x-amz-content-sha256"));
    }

    [Fact]
    public async Task Canonical_request_and_string_to_sign_match_the_suite_texts()
    {
        // get-vanilla-query-order-key-case.creq, as printed in AWS's "Signature Version 4 Test Suite" page.
        using var query = new HttpRequestMessage(HttpMethod.Get, "https://example.amazonaws.com/?Param2=value2&Param1=value1");
        var signed = await SigV4.SignAsync(query, new ImmutableCredentials(AccessKey, SecretKey, null), "us-east-1",
            "service", SuiteTime, CancellationToken.None);
        Assert.Equal(
            "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
                + SigV4.EmptyPayloadHash,
            signed.CanonicalRequest);

        // get-vanilla.sts
        using var vanilla = new HttpRequestMessage(HttpMethod.Get, "https://example.amazonaws.com/");
        signed = await SigV4.SignAsync(vanilla, new ImmutableCredentials(AccessKey, SecretKey, null), "us-east-1",
            "service", SuiteTime, CancellationToken.None);
        Assert.Equal(
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n" +
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            signed.StringToSign);

        // post-x-www-form-urlencoded.creq and .sts
        using var form = Build(All.Single(v => v.Name == "post-x-www-form-urlencoded"));
        signed = await SigV4.SignAsync(form, new ImmutableCredentials(AccessKey, SecretKey, null), "us-east-1",
            "service", SuiteTime, CancellationToken.None);
        Assert.Equal(
            "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n" +
            "content-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
            signed.CanonicalRequest);
        Assert.EndsWith("\n42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281", signed.StringToSign);
    }

    internal static HttpRequestMessage Build(Vector vector)
    {
        var request = new HttpRequestMessage(new HttpMethod(vector.Method), "https://example.amazonaws.com" + vector.PathAndQuery);
        foreach (var (name, value) in vector.Headers)
            Assert.True(request.Headers.TryAddWithoutValidation(name, value));
        if (vector.Body is not null)
        {
            request.Content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(vector.Body));
            if (vector.ContentType is not null)
                Assert.True(request.Content.Headers.TryAddWithoutValidation("Content-Type", vector.ContentType));
        }
        return request;
    }

    private static string Single(HttpRequestMessage request, string name) =>
        request.Headers.NonValidated.TryGetValues(name, out var values) ? Assert.Single(values)
            : throw new Xunit.Sdk.XunitException($"no {name} header");
}
