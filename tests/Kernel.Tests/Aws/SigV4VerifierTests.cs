using Amazon.Runtime;
using Serverless.Kernel.Aws;

namespace Serverless.Kernel.Tests.Aws;

/// <summary>
/// <see cref="SigV4Verifier"/> accepts what <see cref="SigV4"/> signs with the known credentials and refuses any change
/// to what was signed, another key or secret, and a time more than 15 minutes away (or past a presigned expiry).
/// </summary>
public sealed class SigV4VerifierTests
{
    private const string AccessKey = "local";
    private const string SecretKey = "local";
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static SigV4Verifier Verifier(string service, DateTimeOffset? now = null) =>
        new(AccessKey, SecretKey, service, new FixedClock(now ?? Now));

    private static HttpRequestMessage Signed(string service, string url =
        "http://127.0.0.1:9001/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A0%3Afunction%3Af/invocations",
        string body = """{"n":1}""", string accessKey = AccessKey, string secretKey = SecretKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body) };
        request.Headers.Add("X-Amz-Invocation-Type", "Event");
        SigV4.Sign(request, new ImmutableCredentials(accessKey, secretKey, null), "eu-west-1", service, Now, Hash(body));
        return request;
    }

    private static string Hash(string body) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(body)));

    /// <summary>The request as a server receives it.</summary>
    private static SigV4Request Received(HttpRequestMessage request) => new(request.Method.Method, request.RequestUri!.PathAndQuery, name =>
        name.Equals("host", StringComparison.OrdinalIgnoreCase) ? request.Headers.Host
        : request.Headers.NonValidated.Concat(request.Content!.Headers.NonValidated)
            .Where(header => header.Key.Equals(name, StringComparison.OrdinalIgnoreCase))
            .Select(header => string.Join(',', header.Value)).FirstOrDefault());

    [Fact]
    public void A_request_signed_with_the_known_credentials_verifies_in_any_region()
    {
        using var request = Signed("lambda");

        Assert.Null(Verifier("lambda").Verify(Received(request), Hash("""{"n":1}""")));
    }

    [Fact]
    public void A_changed_body_path_or_header_is_a_signature_mismatch()
    {
        using var request = Signed("lambda");
        var received = Received(request);

        Assert.Equal(SigV4Failure.SignatureMismatch, Verifier("lambda").Verify(received, Hash("""{"n":2}"""))?.Failure);
        Assert.Equal(SigV4Failure.SignatureMismatch,
            Verifier("lambda").Verify(received with { RawTarget = received.RawTarget.Replace("%3Af/", "%3Ag/", StringComparison.Ordinal) },
                Hash("""{"n":1}"""))?.Failure);
        Assert.Equal(SigV4Failure.SignatureMismatch, Verifier("lambda").Verify(received with
        {
            Header = name => name.Equals("x-amz-invocation-type", StringComparison.OrdinalIgnoreCase)
                ? "RequestResponse" : received.Header(name),
        }, Hash("""{"n":1}"""))?.Failure);
    }

    [Fact]
    public void Another_secret_key_service_or_no_signature_is_refused()
    {
        using var wrongSecret = Signed("lambda", secretKey: "other");
        using var wrongKey = Signed("lambda", accessKey: "AKIAOTHER");
        using var wrongService = Signed("s3");
        var hash = Hash("""{"n":1}""");

        Assert.Equal(SigV4Failure.SignatureMismatch, Verifier("lambda").Verify(Received(wrongSecret), hash)?.Failure);
        Assert.Equal(SigV4Failure.UnknownAccessKey, Verifier("lambda").Verify(Received(wrongKey), hash)?.Failure);
        Assert.Equal(SigV4Failure.SignatureMismatch, Verifier("lambda").Verify(Received(wrongService), hash)?.Failure);
        Assert.Equal(SigV4Failure.Missing, Verifier("lambda").Verify(new SigV4Request("POST", "/", _ => null), hash)?.Failure);
    }

    [Theory]
    [InlineData(-16, false)]
    [InlineData(-14, true)]
    [InlineData(14, true)]
    [InlineData(16, false)]
    public void A_header_signature_holds_for_15_minutes_either_side(int minutes, bool accepted)
    {
        using var request = Signed("lambda");

        var refusal = Verifier("lambda", Now.AddMinutes(minutes)).Verify(Received(request), Hash("""{"n":1}"""));

        Assert.Equal(accepted ? null : SigV4Failure.Expired, refusal?.Failure);
    }

    /// <summary>
    /// A presigned PUT that signs its Content-Length (as an upload bound to its declared size does), built by hand: the
    /// declared size verifies, any other is a mismatch, and after its expiry it is refused however it is signed.
    /// </summary>
    [Fact]
    public void A_presigned_url_binds_what_it_signs_until_it_expires()
    {
        const string query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=local%2F20261207%2Fus-east-1%2Fs3%2Faws4_request" +
            "&X-Amz-Date=20261207T120000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost";
        var canonical = string.Join('\n', "PUT", "/bucket/uploads/a%20b.csv", query,
            "content-length:10\ncontent-type:text/csv\nhost:127.0.0.1:4566\n", "content-length;content-type;host", "UNSIGNED-PAYLOAD");
        var (_, signature) = SigV4.Signature(SecretKey, "20261207T120000Z", "20261207/us-east-1/s3/aws4_request", canonical);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["host"] = "127.0.0.1:4566", ["content-type"] = "text/csv", ["content-length"] = "10",
        };
        var request = new SigV4Request("PUT", $"/bucket/uploads/a%20b.csv?{query}&X-Amz-Signature={signature}",
            name => headers.GetValueOrDefault(name));

        Assert.Null(Verifier("s3").Verify(request, "ignored for a presigned url"));
        headers["content-length"] = "4005";
        Assert.Equal(SigV4Failure.SignatureMismatch, Verifier("s3").Verify(request, "")?.Failure);
        headers["content-length"] = "10";
        headers["content-type"] = "text/html";
        Assert.Equal(SigV4Failure.SignatureMismatch, Verifier("s3").Verify(request, "")?.Failure);
        headers["content-type"] = "text/csv";
        Assert.Equal(SigV4Failure.SignatureMismatch,
            Verifier("s3").Verify(
                request with { RawTarget = request.RawTarget.Replace("a%20b", "c", StringComparison.Ordinal) }, "")?.Failure);
        Assert.Equal(SigV4Failure.Expired, Verifier("s3", Now.AddMinutes(16)).Verify(request, "")?.Failure);
    }
}
