using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Serverless.EndToEnd.Tests;

/// <summary>The newcomer's quick start, with the real AWS CLI as the Cognito client.</summary>
[Collection(LocalCloudCollection.Name)]
public sealed class AwsCliTests(LocalCloudFixture cloud)
{
    [Fact]
    public async Task Sign_up_confirm_and_sign_in_with_the_AWS_CLI_then_read_me()
    {
        var email = $"cli-{Guid.NewGuid():N}@example.com";
        var endpoint = cloud.Output("CognitoEndpoint");
        var client = cloud.Output("UserPoolClientId");

        await AwsAsync("cognito-idp", "sign-up", "--endpoint-url", endpoint, "--client-id", client,
            "--username", email, "--password", "Passw0rd!", "--user-attributes", $"Name=email,Value={email}");
        await AwsAsync("cognito-idp", "admin-confirm-sign-up", "--endpoint-url", endpoint,
            "--user-pool-id", cloud.Output("UserPoolId"), "--username", email);
        var token = (await AwsAsync("cognito-idp", "initiate-auth", "--endpoint-url", endpoint, "--client-id", client,
            "--auth-flow", "USER_PASSWORD_AUTH", "--auth-parameters", $"USERNAME={email},PASSWORD=Passw0rd!",
            "--query", "AuthenticationResult.AccessToken", "--output", "text")).Trim();

        using var response = await cloud.SendAsync(HttpMethod.Get, "/me", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(email, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("email").GetString());
    }

    [Fact]
    public async Task Sign_up_with_a_password_the_templates_policy_refuses_fails_as_Cognito_fails()
    {
        var (exitCode, error) = await AwsFailingAsync("cognito-idp", "sign-up", "--endpoint-url", cloud.Output("CognitoEndpoint"),
            "--client-id", cloud.Output("UserPoolClientId"), "--username", $"weak-{Guid.NewGuid():N}@example.com",
            "--password", "password1");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("InvalidPasswordException", error);
        Assert.Contains("Password must have uppercase characters", error);
    }

    private static async Task<string> AwsAsync(params string[] arguments)
    {
        var (exitCode, output, error) = await AwsCli.RunAsync(arguments);
        Assert.True(exitCode == 0, $"aws {string.Join(' ', arguments)} failed: {error}");
        return output;
    }

    private static async Task<(int ExitCode, string Error)> AwsFailingAsync(params string[] arguments)
    {
        var (exitCode, _, error) = await AwsCli.RunAsync(arguments);
        return (exitCode, error);
    }
}
