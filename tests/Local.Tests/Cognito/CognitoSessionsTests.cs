using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Amazon.Runtime;
using Serverless.Kernel.Aws;
using Serverless.Local.Cognito;
using Serverless.Local.Emulators;
using Serverless.Local.Lambda;
using Serverless.Local.Tests.Emulators;
using Xunit.Abstractions;

namespace Serverless.Local.Tests.Cognito;

/// <summary>
/// The Cognito front in front of a real cognito-local ends sessions as Cognito does: <c>AdminUserGlobalSignOut</c> (which
/// the emulator lacks) revokes the refresh tokens given until then, and a user disabled with <c>AdminDisableUser</c> (which
/// the emulator records but does not enforce) can neither sign in nor refresh. Every call is signed, as an SDK sends it.
/// </summary>
[Collection(CognitoLocalTestBase.Collection)]
public sealed class CognitoSessionsTests(ITestOutputHelper log) : CognitoLocalTestBase(log), IAsyncLifetime
{
    private const string Username = "alice@example.com";

    private static readonly JsonTypeInfo<JsonObject> Request =
        (JsonTypeInfo<JsonObject>)JsonSerializerOptions.Default.GetTypeInfo(typeof(JsonObject));
    private static readonly JsonTypeInfo<JsonElement> Answer =
        (JsonTypeInfo<JsonElement>)JsonSerializerOptions.Default.GetTypeInfo(typeof(JsonElement));

    private readonly HttpClient http = new();
    private CognitoLocal emulator = null!;
    private CognitoFront front = null!;
    private AwsJsonClient cognito = null!;
    private string pool = "";
    private string client = "";

    public async Task InitializeAsync()
    {
        emulator = await CognitoLocal.StartAsync(Installer, EmulatorTestPaths.NewScratchDirectory("cognito-sessions"), output: line =>
            Log.WriteLine(line));
        pool = await emulator.CreateUserPoolAsync("users", usernameAttributes: ["email"]);
        client = await emulator.CreateUserPoolClientAsync(pool, "web");
        front = await CognitoFront.StartAsync(0, emulator.Endpoint, _ => PasswordPolicy.Default, id => id == client ? pool : null);
        cognito = new AwsJsonClient(http, CognitoIdentityProviderClient.Service,
            credentials: new BasicAWSCredentials(LocalAccount.AccessKeyId, LocalAccount.SecretAccessKey),
            region: LocalAccount.Region, endpoint: new Uri(front.Endpoint));
        await SendAsync("SignUp", new JsonObject { ["ClientId"] = client, ["Username"] = Username, ["Password"] = Password });
        await SendAsync("AdminConfirmSignUp", new JsonObject { ["UserPoolId"] = pool, ["Username"] = Username });
    }

    public async Task DisposeAsync()
    {
        await front.DisposeAsync();
        await emulator.DisposeAsync();
        http.Dispose();
    }

    private Task<JsonElement> SendAsync(string action, JsonObject request) =>
        cognito.SendAsync(action, request, Request, Answer, CancellationToken.None);

    /// <summary>Signs in; returns the refresh token.</summary>
    private async Task<string> SignInAsync() => (await SignedInAsync()).GetProperty("RefreshToken").GetString()!;

    private async Task<JsonElement> SignedInAsync() =>
        (await SendAsync("InitiateAuth", new JsonObject
        {
            ["ClientId"] = client,
            ["AuthFlow"] = "USER_PASSWORD_AUTH",
            ["AuthParameters"] = new JsonObject { ["USERNAME"] = Username, ["PASSWORD"] = Password },
        })).GetProperty("AuthenticationResult");

    private async Task<string> RefreshAsync(string refreshToken) =>
        (await SendAsync("InitiateAuth", new JsonObject
        {
            ["ClientId"] = client,
            ["AuthFlow"] = "REFRESH_TOKEN_AUTH",
            ["AuthParameters"] = new JsonObject { ["REFRESH_TOKEN"] = refreshToken },
        })).GetProperty("AuthenticationResult").GetProperty("AccessToken").GetString()!;

    private static async Task AssertNotAuthorizedAsync(string message, Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<AwsServiceException>(call);
        Assert.Equal("NotAuthorizedException", error.ErrorCode);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task A_global_sign_out_revokes_the_refresh_tokens_given_before_it_and_not_later_ones()
    {
        var first = await SignInAsync();
        var second = await SignInAsync();
        Assert.NotEmpty(await RefreshAsync(first));

        await SendAsync("AdminUserGlobalSignOut", new JsonObject { ["UserPoolId"] = pool, ["Username"] = Username });

        await AssertNotAuthorizedAsync("Refresh Token has been revoked", () => RefreshAsync(first));
        await AssertNotAuthorizedAsync("Refresh Token has been revoked", () => RefreshAsync(second));
        Assert.NotEmpty(await RefreshAsync(await SignInAsync()));
    }

    [Fact]
    public async Task A_global_sign_out_of_a_user_that_does_not_exist_is_UserNotFoundException()
    {
        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            SendAsync("AdminUserGlobalSignOut", new JsonObject { ["UserPoolId"] = pool, ["Username"] = "nobody@example.com" }));

        Assert.Equal("UserNotFoundException", error.ErrorCode);
    }

    [Fact]
    public async Task A_disabled_user_can_neither_sign_in_nor_refresh_until_enabled_again()
    {
        var refreshToken = await SignInAsync();

        await SendAsync("AdminDisableUser", new JsonObject { ["UserPoolId"] = pool, ["Username"] = Username });

        await AssertNotAuthorizedAsync("User is disabled.", SignInAsync);
        await AssertNotAuthorizedAsync("User is disabled.", () => RefreshAsync(refreshToken));
        await SendAsync("AdminEnableUser", new JsonObject { ["UserPoolId"] = pool, ["Username"] = Username });
        Assert.NotEmpty(await RefreshAsync(await SignInAsync()));
    }

    [Fact]
    public async Task A_sign_in_the_emulator_granted_to_a_user_deleted_since_is_refused()
    {
        // The emulator's grant is replayed after the user goes, as when an account purge deletes it mid sign-in.
        using var emulatorHttp = new HttpClient { BaseAddress = new Uri(emulator.Endpoint + "/") };
        var sessions = new CognitoSessions(emulatorHttp);
        var granted = System.Text.Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new JsonObject
        {
            ["AuthenticationResult"] = new JsonObject { ["AccessToken"] = (await SignedInAsync()).GetProperty("AccessToken").GetString() },
        }));
        Assert.Null(await sessions.RefusalOfGrantedAsync(granted, CancellationToken.None));

        await SendAsync("AdminDeleteUser", new JsonObject { ["UserPoolId"] = pool, ["Username"] = Username });

        Assert.Equal("Incorrect username or password.", await sessions.RefusalOfGrantedAsync(granted, CancellationToken.None));
    }
}
