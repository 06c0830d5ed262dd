using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Local.Emulators;
using Xunit.Abstractions;
using static Serverless.Local.Tests.Emulators.CognitoTokens;

namespace Serverless.Local.Tests.Emulators;

/// <summary>cognito-local: signing up, confirming (by an admin or with the code), the PostConfirmation trigger, and the
/// tokens and JWKS of a signed-in user.</summary>
[Collection(CognitoLocalTestBase.Collection)]
public sealed class CognitoLocalSignUpTests(ITestOutputHelper log) : CognitoLocalTestBase(log)
{
    [Fact]
    public async Task Sign_up_admin_confirm_sign_in_with_trigger_tokens_and_jwks()
    {
        await using var lambda = new LambdaInvokeStub();
        var work = EmulatorTestPaths.NewScratchDirectory("cognito");
        await using var cognito = await CognitoLocal.StartAsync(
            Installer, work, lambdaEndpoint: lambda.Endpoint, triggerFunctions: CreateProfileOnConfirmation, output: line =>
                Log.WriteLine(line));
        Log.WriteLine($"cognito-local at {cognito.Endpoint}: ready in {cognito.StartupTime.TotalSeconds:0.00} s, " +
            $"RSS {cognito.Process.ResidentMemoryBytes / (1024 * 1024)} MB");
        Log.WriteLine("config.json: " + await File.ReadAllTextAsync(Path.Combine(work, ".cognito", "config.json")));

        var pool = await cognito.CreateUserPoolAsync("users", usernameAttributes: ["email"]);
        var client = await cognito.CreateUserPoolClientAsync(pool, "web");
        Assert.Matches("^local_[0-9A-Za-z]{8}$", pool);
        Assert.Equal(pool, await cognito.FindUserPoolIdAsync("users"));
        Assert.Equal(client, await cognito.FindUserPoolClientIdAsync(pool, "web"));

        var signUp = await cognito.SendAsync("SignUp", new JsonObject
        {
            ["ClientId"] = client,
            ["Username"] = "alice@example.com",
            ["Password"] = Password,
            ["UserAttributes"] = new JsonArray(new JsonObject { ["Name"] = "name", ["Value"] = "Alice" }),
        });
        Assert.False(signUp.GetProperty("UserConfirmed").GetBoolean());
        var sub = signUp.GetProperty("UserSub").GetString()!;

        var early = await Assert.ThrowsAsync<CognitoLocalException>(() => SignInAsync(cognito, client, "alice@example.com"));
        Assert.Equal("UserNotConfirmedException", early.ErrorType);

        await cognito.SendAsync("AdminConfirmSignUp", new JsonObject { ["UserPoolId"] = pool, ["Username"] = "alice@example.com" });

        var invocation = await lambda.NextAsync(TimeSpan.FromSeconds(10));
        Log.WriteLine(
            $"trigger: {invocation.Method} {invocation.Path} X-Amz-Invocation-Type={invocation.Headers["X-Amz-Invocation-Type"]}");
        Log.WriteLine($"trigger event: {invocation.Body}");
        Assert.Equal("POST", invocation.Method);
        Assert.Equal("/2015-03-31/functions/CreateProfile/invocations", invocation.Path);
        Assert.Equal("RequestResponse", invocation.Headers["X-Amz-Invocation-Type"]);
        var sdkVersion = JsonNode.Parse(invocation.Body)!["callerContext"]!["awsSdkVersion"]!.GetValue<string>();
        Assert.StartsWith("2.", sdkVersion);
        var expected = JsonNode.Parse($$"""
            {
              "version": "0",
              "callerContext": { "awsSdkVersion": "{{sdkVersion}}", "clientId": null },
              "region": "local",
              "userPoolId": "{{pool}}",
              "triggerSource": "PostConfirmation_ConfirmSignUp",
              "userName": "{{sub}}",
              "request": {
                "userAttributes": {
                  "cognito:user_status": "CONFIRMED",
                  "email": "alice@example.com",
                  "name": "Alice",
                  "sub": "{{sub}}"
                }
              },
              "response": {}
            }
            """);
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(invocation.Body)), $"unexpected event {invocation.Body}");

        await cognito.SendAsync("CreateGroup", new JsonObject { ["UserPoolId"] = pool, ["GroupName"] = "admins" });
        await cognito.SendAsync("AdminAddUserToGroup", new JsonObject
        {
            ["UserPoolId"] = pool,
            ["Username"] = "alice@example.com",
            ["GroupName"] = "admins",
        });

        var auth = (await SignInAsync(cognito, client, "alice@example.com")).GetProperty("AuthenticationResult");
        var accessToken = auth.GetProperty("AccessToken").GetString()!;
        var idToken = auth.GetProperty("IdToken").GetString()!;
        Assert.False(string.IsNullOrEmpty(auth.GetProperty("RefreshToken").GetString()));

        var access = Payload(accessToken);
        var id = Payload(idToken);
        Log.WriteLine($"access token header {Header(accessToken)} claims {access}");
        Log.WriteLine($"id token header {Header(idToken)} claims {id}");

        Assert.Equal(cognito.Issuer(pool), access.GetProperty("iss").GetString());
        Assert.Equal($"{cognito.Endpoint}/{pool}", id.GetProperty("iss").GetString());
        Assert.Equal("access", access.GetProperty("token_use").GetString());
        Assert.Equal(client, access.GetProperty("client_id").GetString());
        Assert.Equal("aws.cognito.signin.user.admin", access.GetProperty("scope").GetString());
        Assert.Equal(sub, access.GetProperty("sub").GetString());
        Assert.Equal(sub, access.GetProperty("username").GetString());
        Assert.False(access.TryGetProperty("aud", out _));
        Assert.Equal(["admins"], access.GetProperty("cognito:groups").EnumerateArray().Select(g => g.GetString()));
        Assert.Equal("id", id.GetProperty("token_use").GetString());
        Assert.Equal(client, id.GetProperty("aud").GetString());
        Assert.Equal("alice@example.com", id.GetProperty("email").GetString());
        Assert.Equal(JsonValueKind.False, id.GetProperty("email_verified").ValueKind);
        Assert.Equal(sub, id.GetProperty("cognito:username").GetString());
        Assert.Equal(["admins"], id.GetProperty("cognito:groups").EnumerateArray().Select(g => g.GetString()));
        // cognito-local puts only email, email_verified and custom: attributes in the ID token
        Assert.False(id.TryGetProperty("name", out _));
        Assert.Equal(24 * 3600, access.GetProperty("exp").GetInt64() - access.GetProperty("iat").GetInt64());

        using var http = new HttpClient();
        var jwks = JsonDocument.Parse(await http.GetStringAsync(cognito.JwksUri(pool))).RootElement;
        Log.WriteLine($"jwks: {jwks}");
        Assert.True(VerifyRs256(accessToken, jwks));
        Assert.True(VerifyRs256(idToken, jwks));
        var (a, i) = (accessToken.Split('.'), idToken.Split('.'));
        Assert.False(VerifyRs256(string.Join('.', a[0], i[1], a[2]), jwks)); // another payload under the access token's signature

        var refreshed = await cognito.SendAsync("InitiateAuth", new JsonObject
        {
            ["ClientId"] = client,
            ["AuthFlow"] = "REFRESH_TOKEN_AUTH",
            ["AuthParameters"] = new JsonObject { ["REFRESH_TOKEN"] = auth.GetProperty("RefreshToken").GetString() },
        });
        Assert.Equal(cognito.Issuer(pool),
            Payload(refreshed.GetProperty("AuthenticationResult").GetProperty("AccessToken").GetString()!).GetProperty("iss").GetString());

        Assert.False(lambda.TryTake(out _)); // the trigger ran exactly once
    }

    [Fact]
    public async Task Sign_up_confirmed_with_the_code_fires_the_trigger_with_the_client_id()
    {
        await using var lambda = new LambdaInvokeStub();
        var lines = new ConcurrentQueue<string>();
        await using var cognito = await CognitoLocal.StartAsync(
            Installer,
            EmulatorTestPaths.NewScratchDirectory("cognito"),
            lambdaEndpoint: lambda.Endpoint,
            triggerFunctions: CreateProfileOnConfirmation,
            confirmationCode: "123456",
            output: line =>
            {
                lines.Enqueue(line);
                Log.WriteLine(line);
            });
        var pool = await cognito.CreateUserPoolAsync("users", usernameAttributes: ["email"], autoVerifiedAttributes: ["email"]);
        var client = await cognito.CreateUserPoolClientAsync(pool, "web");

        var signUp = await cognito.SendAsync("SignUp", new JsonObject
        {
            ["ClientId"] = client,
            ["Username"] = "bob@example.com",
            ["Password"] = Password,
        });
        Assert.Equal("EMAIL", signUp.GetProperty("CodeDeliveryDetails").GetProperty("DeliveryMedium").GetString());
        Assert.Equal("bob@example.com", signUp.GetProperty("CodeDeliveryDetails").GetProperty("Destination").GetString());
        Assert.Contains(lines, line => line.Contains("Code:") && line.Contains("123456"));

        var wrong = await Assert.ThrowsAsync<CognitoLocalException>(() => cognito.SendAsync("ConfirmSignUp", new JsonObject
        {
            ["ClientId"] = client,
            ["Username"] = "bob@example.com",
            ["ConfirmationCode"] = "000000",
        }));
        Assert.Equal("CodeMismatchException", wrong.ErrorType);
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);

        await cognito.SendAsync("ConfirmSignUp", new JsonObject
        {
            ["ClientId"] = client,
            ["Username"] = "bob@example.com",
            ["ConfirmationCode"] = "123456",
        });
        var invocation = await lambda.NextAsync(TimeSpan.FromSeconds(10));
        Log.WriteLine($"trigger event: {invocation.Body}");
        var trigger = JsonNode.Parse(invocation.Body)!;
        Assert.Equal("PostConfirmation_ConfirmSignUp", trigger["triggerSource"]!.GetValue<string>());
        Assert.Equal(client, trigger["callerContext"]!["clientId"]!.GetValue<string>());
        Assert.Equal(signUp.GetProperty("UserSub").GetString(), trigger["userName"]!.GetValue<string>());

        var again = await Assert.ThrowsAsync<CognitoLocalException>(() => cognito.SendAsync("ConfirmSignUp", new JsonObject
        {
            ["ClientId"] = client,
            ["Username"] = "bob@example.com",
            ["ConfirmationCode"] = "123456",
        }));
        Assert.Equal("ExpiredCodeException", again.ErrorType);

        // Unlike Cognito, confirming with the emailed code does not set email_verified.
        var id = Payload((await SignInAsync(cognito, client,
            "bob@example.com")).GetProperty("AuthenticationResult").GetProperty("IdToken").GetString()!);
        Assert.Equal(JsonValueKind.False, id.GetProperty("email_verified").ValueKind);
    }

    [Fact]
    public async Task Each_sign_ups_code_is_printed_as_it_is_sent_not_when_something_else_is_logged()
    {
        var lines = new ConcurrentQueue<string>();
        await using var cognito = await CognitoLocal.StartAsync(Installer, EmulatorTestPaths.NewScratchDirectory("cognito"),
            output: lines.Enqueue);
        var pool = await cognito.CreateUserPoolAsync("users", usernameAttributes: ["email"], autoVerifiedAttributes: ["email"]);
        var client = await cognito.CreateUserPoolClientAsync(pool, "web");

        // The emulator's own start script left the last deliveries unwritten until later output: one in two or three went missing.
        for (var i = 0; i < 8; i++)
        {
            var email = $"user{i}@example.com";
            await cognito.SendAsync("SignUp", new JsonObject { ["ClientId"] = client, ["Username"] = email, ["Password"] = Password });
            for (var waited = 0; !lines.Any(line => line.Contains($"Destination: {email}")); waited++)
            {
                Assert.True(waited < 300, $"No code printed for {email} within 30 s; output: {string.Join('\n', lines.TakeLast(10))}");
                await Task.Delay(100);
            }
        }
    }
}
