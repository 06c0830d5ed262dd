using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Local;
using Serverless.Local.Lambda;

namespace Serverless.Bench;

/// <summary>
/// A benchmark's own local cloud: on free ports, its state in a temporary folder that goes when it stops, and a monthly
/// quota no benchmark reaches (the template's default, 10,000 texts, would stop a 100,000-row upload after a tenth of it).
/// </summary>
internal sealed class BenchCloud(LocalCloud cloud, string state) : IAsyncDisposable
{
    public IReadOnlyDictionary<string, string> Outputs => cloud.Outputs;
    public LocalCloudOptions Options => cloud.Options;
    /// <summary>The functions as the cloud runs them: each environment names the cloud's emulators and resources.</summary>
    public IReadOnlyCollection<FunctionDefinition> Functions => cloud.Lambda.Functions;
    /// <summary>The local Lambda service: <see cref="LambdaService.Invoked"/> tells each invocation's outcome.</summary>
    public LambdaService Lambda => cloud.Lambda;

    /// <param name="log">Receives the cloud's output lines (the functions' log lines among them); dropped when null.</param>
    public static async Task<BenchCloud> StartAsync(Action<string>? log = null)
    {
        var repoRoot = LocalCloudOptions.FindRepoRoot(AppContext.BaseDirectory);
        var state = Path.Combine(Path.GetTempPath(), "serverless-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var cloud = await LocalCloud.StartAsync(
            new LocalCloudOptions(repoRoot, ApiPort: 0, LambdaPort: 0, DynamoDbPort: 0, CognitoPort: 0, ModelPort: 0, S3Port: 0) {
                StateDirectory = state,
                Packaged = true,
                Dashboard = false,
                MetricsPort = 0,
                ParameterOverrides = new Dictionary<string, string> { ["MonthlyTextQuota"] = "1000000000" },
            },
            log ?? (_ => { }), CancellationToken.None);
        return new BenchCloud(cloud, state);
    }

    /// <summary>A new user of the pool, as the frontend makes one: signs up (the confirmation runs CreateProfile), is
    /// confirmed by an administrator, signs in with its password; returns its access token.</summary>
    public async Task<string> SignInNewUserAsync(HttpClient http, string email)
    {
        await CognitoAsync(http, "SignUp", new JsonObject
        {
            ["ClientId"] = Outputs["UserPoolClientId"], ["Username"] = email, ["Password"] = "Passw0rd!",
            ["UserAttributes"] = new JsonArray(new JsonObject { ["Name"] = "email", ["Value"] = email }),
        });
        await CognitoAsync(http, "AdminConfirmSignUp", new JsonObject { ["UserPoolId"] = Outputs["UserPoolId"], ["Username"] = email });
        var auth = await CognitoAsync(http, "InitiateAuth", new JsonObject
        {
            ["ClientId"] = Outputs["UserPoolClientId"], ["AuthFlow"] = "USER_PASSWORD_AUTH",
            ["AuthParameters"] = new JsonObject { ["USERNAME"] = email, ["PASSWORD"] = "Passw0rd!" },
        });
        return auth.GetProperty("AuthenticationResult").GetProperty("AccessToken").GetString()!;
    }

    private async Task<JsonElement> CognitoAsync(HttpClient http, string action, JsonObject request)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, Outputs["CognitoEndpoint"])
        {
            Content = new StringContent(request.ToJsonString(), System.Text.Encoding.UTF8, "application/x-amz-json-1.1"),
        };
        message.Headers.Add("X-Amz-Target", $"AWSCognitoIdentityProviderService.{action}");
        using var response = await http.SendAsync(await message.SignedAsync("cognito-idp"));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async ValueTask DisposeAsync()
    {
        await cloud.DisposeAsync();
        Directory.Delete(state, recursive: true);
    }
}
