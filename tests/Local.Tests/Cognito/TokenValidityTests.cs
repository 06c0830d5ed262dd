using System.Text.Json.Nodes;
using Serverless.Local.Emulators;
using Serverless.Local.Tests.Emulators;
using Xunit.Abstractions;
using static Serverless.Local.Tests.Emulators.CognitoTokens;

namespace Serverless.Local.Tests.Cognito;

/// <summary>
/// An app client provisioned from the template gets Cognito's token lifetimes where the template names none (access and ID
/// tokens one hour, refresh tokens 30 days; a value without units in hours, hours, days), checked on the tokens cognito-local
/// signs.
/// </summary>
[Collection(CognitoLocalTestBase.Collection)]
public sealed class TokenValidityTests(ITestOutputHelper log) : CognitoLocalTestBase(log)
{
    [Fact]
    public async Task Tokens_live_as_long_as_on_Cognito_when_the_template_names_no_lifetime_or_no_unit()
    {
        var work = EmulatorTestPaths.NewScratchDirectory("cognito-validity");
        await using var cognito = await CognitoLocal.StartAsync(Installer, work, output: line => Log.WriteLine(line));
        var pool = await cognito.CreateUserPoolAsync("users", usernameAttributes: ["email"]);
        await cognito.SendAsync("SignUp", new JsonObject { ["ClientId"] = await ClientAsync(cognito, pool, []),
            ["Username"] = "a@example.com", ["Password"] = Password });
        await cognito.SendAsync("AdminConfirmSignUp", new JsonObject { ["UserPoolId"] = pool, ["Username"] = "a@example.com" });

        var defaults = await LifetimesAsync(cognito, await ClientAsync(cognito, pool, []));
        var given = await LifetimesAsync(cognito, await ClientAsync(cognito, pool, new JsonObject
        {
            ["AccessTokenValidity"] = 30,
            ["IdTokenValidity"] = 2,
            ["RefreshTokenValidity"] = 1,
            ["TokenValidityUnits"] = new JsonObject { ["AccessToken"] = "minutes" },
        }));

        Assert.Equal((3600, 3600, 30 * 86400), defaults);
        Assert.Equal((1800, 7200, 86400), given);
    }

    private static async Task<string> ClientAsync(CognitoLocal cognito, string pool, JsonObject template)
    {
        var request = new JsonObject
        {
            ["UserPoolId"] = pool,
            ["ClientName"] = $"web-{Guid.NewGuid():N}",
            ["ExplicitAuthFlows"] = new JsonArray("ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"),
        };
        foreach (var (name, value) in template) request[name] = value?.DeepClone();
        LocalResources.WithCognitoTokenValidity(request);
        return (await cognito.SendAsync("CreateUserPoolClient",
            request)).GetProperty("UserPoolClient").GetProperty("ClientId").GetString()!;
    }

    /// <summary>Seconds from issue to expiry of the access, ID and refresh tokens of a sign-in through <paramref name="client"/>.</summary>
    private static async Task<(long Access, long Id, long Refresh)> LifetimesAsync(CognitoLocal cognito, string client)
    {
        var result = (await SignInAsync(cognito, client, "a@example.com")).GetProperty("AuthenticationResult");
        long Lifetime(string token)
        {
            var claims = Payload(result.GetProperty(token).GetString()!);
            return claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64();
        }
        return (Lifetime("AccessToken"), Lifetime("IdToken"), Lifetime("RefreshToken"));
    }
}
