using Serverless.Kernel.Aws;

namespace Serverless.Kernel.Tests.Aws;

/// <summary>
/// With no credentials given, the client asks AWSSDK.Core's default chain, which on Lambda finds
/// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN.
/// </summary>
[Collection(EnvironmentCollection.Name)]
public sealed class DefaultCredentialsTests
{
    [Fact]
    public async Task Lambda_style_environment_credentials_region_and_endpoint_are_used()
    {
        await using var server = await StubAwsServer.StartAsync();
        using var environment = EnvironmentScope.LambdaStyle("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", server.Endpoint);

        using var http = new HttpClient();
        var cognito = new CognitoIdentityProviderClient(http, new FixedClock(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero)));
        Assert.Equal("ap-southeast-2", cognito.Client.Region);
        Assert.Equal(server.Endpoint, cognito.Client.Endpoint);

        await cognito.AdminDeleteUserAsync("ap-southeast-2_Pool", "carol", CancellationToken.None);

        var request = Assert.Single(server.Requests);
        Assert.Equal("IQoJb3JpZ2luX2VjEXAMPLE", request.Headers["X-Amz-Security-Token"]);
        Assert.StartsWith(
            "AWS4-HMAC-SHA256 Credential=ASIAENVEXAMPLE/20240102/ap-southeast-2/cognito-idp/aws4_request, " +
            "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=",
            request.Headers["Authorization"]);
    }
}
