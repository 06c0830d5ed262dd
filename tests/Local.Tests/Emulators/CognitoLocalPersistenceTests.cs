using System.Text.Json.Nodes;
using Serverless.Local.Emulators;
using Xunit.Abstractions;
using static Serverless.Local.Tests.Emulators.CognitoTokens;

namespace Serverless.Local.Tests.Emulators;

/// <summary>cognito-local: pools, app clients and users kept in <c>.cognito/db</c> across restarts.</summary>
[Collection(CognitoLocalTestBase.Collection)]
public sealed class CognitoLocalPersistenceTests(ITestOutputHelper log) : CognitoLocalTestBase(log)
{
    [Fact]
    public async Task Pools_and_users_survive_a_restart_and_tokens_follow_the_new_port()
    {
        var work = EmulatorTestPaths.NewScratchDirectory("cognito");
        string pool;
        string client;
        await using (var first = await CognitoLocal.StartAsync(Installer, work))
        {
            pool = await first.CreateUserPoolAsync("users", usernameAttributes: ["email"]);
            client = await first.CreateUserPoolClientAsync(pool, "web");
            await first.SendAsync("SignUp", new JsonObject { ["ClientId"] = client, ["Username"] = "carol@example.com",
                ["Password"] = Password });
            await first.SendAsync("AdminConfirmSignUp", new JsonObject { ["UserPoolId"] = pool, ["Username"] = "carol@example.com" });
        }
        Assert.True(File.Exists(Path.Combine(work, ".cognito", "db", pool + ".json")));
        Assert.True(File.Exists(Path.Combine(work, ".cognito", "db", "clients.json")));

        await using var second = await CognitoLocal.StartAsync(Installer, work);
        Assert.Equal(pool, await second.FindUserPoolIdAsync("users"));
        Assert.Equal(client, await second.FindUserPoolClientIdAsync(pool, "web"));
        var auth = await SignInAsync(second, client, "carol@example.com");
        var access = Payload(auth.GetProperty("AuthenticationResult").GetProperty("AccessToken").GetString()!);
        Assert.Equal(second.Issuer(pool), access.GetProperty("iss").GetString());
    }
}
