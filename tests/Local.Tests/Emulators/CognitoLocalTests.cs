using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Local.Emulators;
using Xunit.Abstractions;

namespace Serverless.Local.Tests.Emulators;

public sealed class CognitoLocalTests(ITestOutputHelper log)
{
    private const string Password = "Passw0rd!";
    private static readonly Dictionary<string, string> CreateProfileOnConfirmation = new() { ["PostConfirmation"] = "CreateProfile" };

    private EmulatorInstaller Installer => new(EmulatorTestPaths.Cache, line => log.WriteLine(line));

    [Fact]
    public async Task Sign_up_admin_confirm_sign_in_with_trigger_tokens_and_jwks()
    {
        await using var lambda = new LambdaInvokeStub();
        var work = EmulatorTestPaths.NewScratchDirectory("cognito");
        await using var cognito = await CognitoLocal.StartAsync(
            Installer, work, lambdaEndpoint: lambda.Endpoint, triggerFunctions: CreateProfileOnConfirmation, output: line => log.WriteLine(line));
        log.WriteLine($"cognito-local at {cognito.Endpoint}: ready in {cognito.StartupTime.TotalSeconds:0.00} s, " +
            $"RSS {cognito.Process.ResidentMemoryBytes / (1024 * 1024)} MB");
        log.WriteLine("config.json: " + await File.ReadAllTextAsync(Path.Combine(work, ".cognito", "config.json")));

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
        log.WriteLine($"trigger: {invocation.Method} {invocation.Path} X-Amz-Invocation-Type={invocation.Headers["X-Amz-Invocation-Type"]}");
        log.WriteLine($"trigger event: {invocation.Body}");
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
        log.WriteLine($"access token header {Header(accessToken)} claims {access}");
        log.WriteLine($"id token header {Header(idToken)} claims {id}");

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
        Assert.False(id.TryGetProperty("name", out _)); // cognito-local puts only email, email_verified and custom: attributes in the ID token
        Assert.Equal(24 * 3600, access.GetProperty("exp").GetInt64() - access.GetProperty("iat").GetInt64());

        using var http = new HttpClient();
        var jwks = JsonDocument.Parse(await http.GetStringAsync(cognito.JwksUri(pool))).RootElement;
        log.WriteLine($"jwks: {jwks}");
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
        Assert.Equal(cognito.Issuer(pool), Payload(refreshed.GetProperty("AuthenticationResult").GetProperty("AccessToken").GetString()!).GetProperty("iss").GetString());

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
                log.WriteLine(line);
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
        log.WriteLine($"trigger event: {invocation.Body}");
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
        var id = Payload((await SignInAsync(cognito, client, "bob@example.com")).GetProperty("AuthenticationResult").GetProperty("IdToken").GetString()!);
        Assert.Equal(JsonValueKind.False, id.GetProperty("email_verified").ValueKind);
    }

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
            await first.SendAsync("SignUp", new JsonObject { ["ClientId"] = client, ["Username"] = "carol@example.com", ["Password"] = Password });
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

    [Fact]
    public async Task Username_attributes_are_as_requested_and_errors_have_a_type()
    {
        await using var cognito = await CognitoLocal.StartAsync(Installer, EmulatorTestPaths.NewScratchDirectory("cognito"));

        var plain = await cognito.CreateUserPoolAsync("plain");
        var plainClient = await cognito.CreateUserPoolClientAsync(plain, "web");
        var dave = await cognito.SendAsync("SignUp", new JsonObject { ["ClientId"] = plainClient, ["Username"] = "dave", ["Password"] = Password });
        Assert.False(dave.GetProperty("UserConfirmed").GetBoolean());

        var emails = await cognito.CreateUserPoolAsync("emails", usernameAttributes: ["email"]);
        var emailsClient = await cognito.CreateUserPoolClientAsync(emails, "web");
        var notEmail = await Assert.ThrowsAsync<CognitoLocalException>(() =>
            cognito.SendAsync("SignUp", new JsonObject { ["ClientId"] = emailsClient, ["Username"] = "dave", ["Password"] = Password }));
        Assert.Equal("InvalidParameterException", notEmail.ErrorType);
        Assert.Equal("Username should be an email.", notEmail.ErrorMessage);

        await cognito.SendAsync("SignUp", new JsonObject { ["ClientId"] = emailsClient, ["Username"] = "erin@example.com", ["Password"] = Password });
        await cognito.SendAsync("AdminConfirmSignUp", new JsonObject { ["UserPoolId"] = emails, ["Username"] = "erin@example.com" });

        var wrongPassword = await Assert.ThrowsAsync<CognitoLocalException>(() => SignInAsync(cognito, emailsClient, "erin@example.com", "nope"));
        Assert.Equal("InvalidPasswordException", wrongPassword.ErrorType); // real Cognito says NotAuthorizedException
        var unknownUser = await Assert.ThrowsAsync<CognitoLocalException>(() => SignInAsync(cognito, emailsClient, "nobody@example.com"));
        Assert.Equal("NotAuthorizedException", unknownUser.ErrorType);
        var otherCase = await Assert.ThrowsAsync<CognitoLocalException>(() => SignInAsync(cognito, emailsClient, "Erin@Example.com"));
        Assert.Equal("NotAuthorizedException", otherCase.ErrorType); // emails are case-sensitive here
        var duplicate = await Assert.ThrowsAsync<CognitoLocalException>(() =>
            cognito.SendAsync("SignUp", new JsonObject { ["ClientId"] = emailsClient, ["Username"] = "erin@example.com", ["Password"] = Password }));
        Assert.Equal("UsernameExistsException", duplicate.ErrorType);

        var unsupported = await Assert.ThrowsAsync<CognitoLocalException>(() => cognito.SendAsync("InitiateAuth", new JsonObject
        {
            ["ClientId"] = emailsClient,
            ["AuthFlow"] = "USER_SRP_AUTH",
            ["AuthParameters"] = new JsonObject { ["USERNAME"] = "erin@example.com", ["SRP_A"] = "1" },
        }));
        Assert.Equal("CognitoLocal#Unsupported", unsupported.ErrorType);
        Assert.Equal(HttpStatusCode.InternalServerError, unsupported.StatusCode);
        log.WriteLine(unsupported.Message);

        var missingPool = await Assert.ThrowsAsync<CognitoLocalException>(() =>
            cognito.SendAsync("AdminConfirmSignUp", new JsonObject { ["UserPoolId"] = "local_missing0", ["Username"] = "x" }));
        Assert.Equal("ResourceNotFoundException", missingPool.ErrorType);
    }

    private static Task<JsonElement> SignInAsync(CognitoLocal cognito, string clientId, string username, string password = Password) =>
        cognito.SendAsync("InitiateAuth", new JsonObject
        {
            ["ClientId"] = clientId,
            ["AuthFlow"] = "USER_PASSWORD_AUTH",
            ["AuthParameters"] = new JsonObject { ["USERNAME"] = username, ["PASSWORD"] = password },
        });

    private static JsonElement Header(string jwt) => JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[0])).RootElement;

    private static JsonElement Payload(string jwt) => JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[1])).RootElement;

    private static bool VerifyRs256(string jwt, JsonElement jwks)
    {
        var parts = jwt.Split('.');
        var header = Header(jwt);
        if (header.GetProperty("alg").GetString() != "RS256")
        {
            return false;
        }
        var kid = header.GetProperty("kid").GetString();
        var key = jwks.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("kid").GetString() == kid);
        using var rsa = RSA.Create(new RSAParameters
        {
            Modulus = Base64Url.DecodeFromChars(key.GetProperty("n").GetString()),
            Exponent = Base64Url.DecodeFromChars(key.GetProperty("e").GetString()),
        });
        return rsa.VerifyData(
            Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]),
            Base64Url.DecodeFromChars(parts[2]),
            HashAlgorithmName.SHA256,
            RSASignaturePadding.Pkcs1);
    }
}
