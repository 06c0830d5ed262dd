using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;
using Amazon.Util;
using Serverless.Kernel.Aws;

namespace Serverless.Kernel.Tests.Aws;

public sealed class SigV4Tests
{
    private static readonly ImmutableCredentials Credentials = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);
    private static readonly DateTimeOffset At = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    [Fact]
    public void The_signature_is_the_one_AWSSDK_Core_computes_for_the_same_canonical_request()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://cognito-idp.eu-west-1.amazonaws.com/")
        {
            Content = new ByteArrayContent("{}"u8.ToArray()),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-amz-json-1.1");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "AWSCognitoIdentityProviderService.AdminGetUser");
        var session = new ImmutableCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "token");

        var result = SigV4.Sign(request, session, "eu-west-1", "cognito-idp", At, Convert.ToHexStringLower(AWS4Signer.ComputeHash("{}")));

        var sdk = AWS4Signer.ComputeSignature(session.AccessKey, session.SecretKey, "eu-west-1", At.UtcDateTime, "cognito-idp",
            result.SignedHeaders, result.CanonicalRequest);
        Assert.Equal(sdk.Signature, result.Signature);
        Assert.Equal(sdk.ForAuthorizationHeader, result.Authorization);
        Assert.Equal("content-type;host;x-amz-date;x-amz-security-token;x-amz-target", result.SignedHeaders);
    }

    [Fact]
    public void Non_S3_services_double_encode_each_path_segment_and_send_it_encoded_once()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post,
            "https://runtime.sagemaker.us-east-1.amazonaws.com/endpoints/a b/ሴ/(x)/invocations");

        var result = SigV4.Sign(request, Credentials, "us-east-1", "sagemaker", At, SigV4.EmptyPayloadHash);

        Assert.Equal("/endpoints/a%2520b/%25E1%2588%25B4/%2528x%2529/invocations", result.CanonicalRequest.Split('\n')[1]);
        Assert.Equal("/endpoints/a%20b/%E1%88%B4/%28x%29/invocations", request.RequestUri!.AbsolutePath);
        // AWSSDK.Core's own double encoding agrees (it leaves parentheses alone, hence a path without them here).
        Assert.Equal(
            AWSSDKUtils.CanonicalizeResourcePathV2(new Uri("https://runtime.sagemaker.us-east-1.amazonaws.com"),
                "/endpoints/a b/ሴ/invocations", true, null),
            Sign("https://runtime.sagemaker.us-east-1.amazonaws.com/endpoints/a b/ሴ/invocations",
                "sagemaker").CanonicalRequest.Split('\n')[1]);
    }

    [Fact]
    public void S3_encodes_the_path_once_and_sends_the_payload_hash()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://bucket.s3.us-east-1.amazonaws.com/photos/a b/%2Fslash.jpg");

        var result = SigV4.Sign(request, Credentials, "us-east-1", "s3", At, SigV4.EmptyPayloadHash);

        Assert.Equal("/photos/a%20b/%2Fslash.jpg", result.CanonicalRequest.Split('\n')[1]);
        Assert.Equal(SigV4.EmptyPayloadHash, request.Headers.GetValues("x-amz-content-sha256").Single());
        Assert.Equal("host;x-amz-content-sha256;x-amz-date", result.SignedHeaders);
    }

    [Fact]
    public void Query_components_are_encoded_once_sorted_by_name_then_value_and_plus_stays_a_plus()
    {
        var result = Sign("https://example.amazonaws.com/?b=2&a=z&a=y&c&e=a+b&d=%2F%20", "service");

        Assert.Equal("a=y&a=z&b=2&c=&d=%2F%20&e=a%2Bb", result.CanonicalRequest.Split('\n')[2]);
    }

    [Fact]
    public void The_host_header_carries_a_non_default_port_and_an_explicit_host_is_kept()
    {
        using var local = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:4566/");
        SigV4.Sign(local, Credentials, "us-east-1", "cognito-idp", At, SigV4.EmptyPayloadHash);
        Assert.Equal("127.0.0.1:4566", local.Headers.Host);

        using var proxied = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:4566/");
        proxied.Headers.Host = "cognito-idp.us-east-1.amazonaws.com";
        var result = SigV4.Sign(proxied, Credentials, "us-east-1", "cognito-idp", At, SigV4.EmptyPayloadHash);
        Assert.Contains("\nhost:cognito-idp.us-east-1.amazonaws.com\n", result.CanonicalRequest);
    }

    [Fact]
    public void Transport_headers_are_left_unsigned()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://example.amazonaws.com/") { Content =
            new ByteArrayContent([1, 2, 3]) };
        _ = request.Content.Headers.ContentLength; // materialises Content-Length in the header collection
        request.Headers.TryAddWithoutValidation("User-Agent", "test/1.0");
        request.Headers.TryAddWithoutValidation("X-Amzn-Trace-Id", "Root=1-00000000-000000000000000000000000");
        request.Headers.ExpectContinue = true;

        var result = SigV4.Sign(request, Credentials, "us-east-1", "service", At, SigV4.EmptyPayloadHash);

        Assert.Equal("host;x-amz-date", result.SignedHeaders);
    }

    [Fact]
    public void Signing_again_replaces_the_previous_signature_and_token()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://example.amazonaws.com/");
        SigV4.Sign(request, new ImmutableCredentials("AKID1", "secret1", "token1"), "us-east-1", "service", At, SigV4.EmptyPayloadHash);

        var second = SigV4.Sign(request, new ImmutableCredentials("AKID2", "secret2", null), "us-east-1", "service",
            At.AddMinutes(5), SigV4.EmptyPayloadHash);

        Assert.Equal(second.Authorization, request.Headers.NonValidated["Authorization"].Single());
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKID2/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, ",
            second.Authorization);
        Assert.Equal("20150830T124100Z", request.Headers.NonValidated["X-Amz-Date"].Single());
        Assert.False(request.Headers.Contains("X-Amz-Security-Token"));
    }

    [Fact]
    public void The_signing_time_is_taken_in_UTC()
    {
        var local = new DateTimeOffset(2015, 8, 30, 14, 36, 0, TimeSpan.FromHours(2));
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://example.amazonaws.com/");

        var result = SigV4.Sign(request, Credentials, "us-east-1", "service", local, SigV4.EmptyPayloadHash);

        Assert.EndsWith("Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", result.Authorization); // get-vanilla
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("AZaz09-_.~", "AZaz09-_.~")]
    [InlineData(" /+=&%", "%20%2F%2B%3D%26%25")]
    [InlineData("ሴ", "%E1%88%B4")]
    [InlineData("😀", "%F0%9F%98%80")]
    public void UriEncode_keeps_only_the_unreserved_characters(string raw, string encoded) =>
        Assert.Equal(encoded, SigV4.UriEncode(raw));

    private static SigV4Result Sign(string uri, string service)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        return SigV4.Sign(request, Credentials, "us-east-1", service, At, SigV4.EmptyPayloadHash);
    }
}
