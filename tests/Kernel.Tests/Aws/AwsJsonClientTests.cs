using System.Net;
using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;
using Microsoft.AspNetCore.Http;
using Serverless.Kernel.Aws;

namespace Serverless.Kernel.Tests.Aws;

public sealed class AwsJsonClientTests : StubAwsServerTestBase
{
    private CognitoIdentityProviderClient Cognito(string? token = null) =>
        new(new AwsJsonClient(http, CognitoIdentityProviderClient.Service, new FixedClock(Now), Credentials(token),
            region: "eu-west-1", endpoint: server.Endpoint));

    [Fact]
    public async Task AdminGetUser_posts_a_signed_awsJson_1_1_request_and_reads_the_attributes()
    {
        server.Respond = context => StubAwsServer.Json(context, 200, """
            {"Enabled":true,"UserAttributes":[{"Name":"sub","Value":"7d2f0c4e-0000-4000-8000-000000000000"},
             {"Name":"email","Value":"alice@example.com"},{"Name":"custom:tenant","Value":"t-1"}],
             "UserCreateDate":1.704164645123E9,"UserLastModifiedDate":1704164700,"UserStatus":"CONFIRMED","Username":"alice",
             "MFAOptions":[]}
            """, ("x-amzn-RequestId", "5f1d6c7e-req"));

        var user = await Cognito().AdminGetUserAsync("eu-west-1_Pool", "alice", CancellationToken.None);

        Assert.Equal("alice", user.Username);
        Assert.True(user.Enabled);
        Assert.Equal("CONFIRMED", user.UserStatus);
        Assert.Equal("alice@example.com", user.Attribute("email"));
        Assert.Equal("t-1", user.Attribute("custom:tenant"));
        Assert.Null(user.Attribute("phone_number"));
        Assert.Equal(1704164645.123, user.UserCreateDate);

        var request = Assert.Single(server.Requests);
        var body = """{"UserPoolId":"eu-west-1_Pool","Username":"alice"}""";
        Assert.Equal("POST", request.Method);
        Assert.Equal("/", request.RawTarget);
        Assert.Equal(body, Encoding.UTF8.GetString(request.Body));
        Assert.Equal("AWSCognitoIdentityProviderService.AdminGetUser", request.Headers["X-Amz-Target"]);
        Assert.Equal("application/x-amz-json-1.1", request.Headers["Content-Type"]);
        Assert.Equal("20240102T030405Z", request.Headers["X-Amz-Date"]);
        Assert.False(request.Headers.ContainsKey("X-Amz-Security-Token"));
        Assert.False(request.Headers.ContainsKey("x-amz-content-sha256"));
        Assert.Equal(ExpectedAuthorization(request, body, token: null), request.Headers["Authorization"]);
    }

    [Fact]
    public async Task A_session_token_is_sent_and_signed()
    {
        await Cognito(token: "FwoGZXIvYXdzEXAMPLETOKEN").AdminDeleteUserAsync("eu-west-1_Pool", "bob", CancellationToken.None);

        var request = Assert.Single(server.Requests);
        Assert.Equal("AWSCognitoIdentityProviderService.AdminDeleteUser", request.Headers["X-Amz-Target"]);
        Assert.Equal("FwoGZXIvYXdzEXAMPLETOKEN", request.Headers["X-Amz-Security-Token"]);
        Assert.Contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, ", request.Headers["Authorization"]);
        Assert.Equal(ExpectedAuthorization(request, """{"UserPoolId":"eu-west-1_Pool","Username":"bob"}""", "FwoGZXIvYXdzEXAMPLETOKEN"),
            request.Headers["Authorization"]);
    }

    [Fact]
    public async Task An_empty_success_body_is_an_empty_output()
    {
        server.Respond = context => { context.Response.StatusCode = 200; return Task.CompletedTask; };

        await Cognito().AdminDeleteUserAsync("eu-west-1_Pool", "bob", CancellationToken.None);
        var user = await Cognito().AdminGetUserAsync("eu-west-1_Pool", "bob", CancellationToken.None);

        Assert.Empty(user.UserAttributes);
    }

    [Theory]
    [InlineData("""{"__type":"UserNotFoundException","message":"User does not exist."}""", null,
        "UserNotFoundException", "User does not exist.")]
    [InlineData("""{"__type":"com.amazonaws.cognito.identity.idp.model#UserNotFoundException","Message":"User does not exist."}""",
        null, "UserNotFoundException", "User does not exist.")]
    [InlineData(
        """{"code":"aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/","message":"m"}""",
        null, "FooError", "m")]
    [InlineData("""{"message":"Access Token has been revoked"}""",
        "NotAuthorizedException:http://internal.amazon.com/coral/com.amazon.coral.service/", "NotAuthorizedException",
        "Access Token has been revoked")]
    [InlineData("""{"__type":"Ignored","message":"header first"}""", "aws.protocoltests#TooManyRequestsException",
        "TooManyRequestsException", "header first")]
    public async Task An_error_answer_is_an_AwsServiceException(string body, string? errorTypeHeader, string code, string message)
    {
        server.Respond = context => StubAwsServer.Json(context, 400, body,
            errorTypeHeader is null ? [("x-amzn-RequestId", "a1b2c3")]
                : [("x-amzn-RequestId", "a1b2c3"), ("x-amzn-ErrorType", errorTypeHeader)]);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            Cognito().AdminGetUserAsync("eu-west-1_Pool", "nobody", CancellationToken.None));

        Assert.Equal(code, error.ErrorCode);
        Assert.Equal(message, error.Message);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("a1b2c3", error.RequestId);
    }

    [Fact]
    public async Task A_non_json_error_keeps_the_status()
    {
        server.Respond = async context =>
        {
            context.Response.StatusCode = 502;
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync("<html>Bad Gateway</html>");
        };

        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            Cognito().AdminDeleteUserAsync("eu-west-1_Pool", "bob", CancellationToken.None));

        Assert.Equal(AwsServiceException.UnknownErrorCode, error.ErrorCode);
        Assert.Equal(HttpStatusCode.BadGateway, error.StatusCode);
        Assert.StartsWith("502", error.Message);
        Assert.Null(error.RequestId);
    }

    [Fact]
    public async Task Cancellation_is_honoured()
    {
        var release = new TaskCompletionSource();
        server.Respond = async context => { await release.Task; await StubAwsServer.Json(context, 200, "{}"); };
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        try
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                Cognito().AdminGetUserAsync("eu-west-1_Pool", "bob", cancellation.Token));
        }
        finally
        {
            release.SetResult();
        }
    }

    [Fact]
    public async Task The_endpoint_comes_from_the_environment_when_not_given()
    {
        var client = new AwsJsonClient(http, CognitoIdentityProviderClient.Service, new FixedClock(Now),
            new BasicAWSCredentials(AccessKey, SecretKey), region: "eu-west-1");
        Assert.Equal(AwsEnvironment.Endpoint("COGNITO_IDENTITY_PROVIDER", "cognito-idp", "eu-west-1"), client.Endpoint);
        Assert.Equal("eu-west-1", client.Region);
        await Task.CompletedTask;
    }

    /// <summary>
    /// The Authorization the service would compute: the canonical request written out here by hand, signed by
    /// AWSSDK.Core's own <see cref="AWS4Signer.ComputeSignature(string, string, string, DateTime, string, string, string)"/>.
    /// </summary>
    private static string ExpectedAuthorization(StubAwsServer.Captured request, string body, string? token)
    {
        var signedHeaders = token is null
            ? "content-type;host;x-amz-date;x-amz-target"
            : "content-type;host;x-amz-date;x-amz-security-token;x-amz-target";
        var canonical =
            "POST\n/\n\n" +
            "content-type:application/x-amz-json-1.1\n" +
            $"host:{request.Headers["Host"]}\n" +
            "x-amz-date:20240102T030405Z\n" +
            (token is null ? "" : $"x-amz-security-token:{token}\n") +
            $"x-amz-target:{request.Headers["X-Amz-Target"]}\n\n" +
            signedHeaders + "\n" +
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(body)));
        return AWS4Signer.ComputeSignature(AccessKey, SecretKey, "eu-west-1", Now.UtcDateTime, "cognito-idp", signedHeaders, canonical)
            .ForAuthorizationHeader;
    }
}
