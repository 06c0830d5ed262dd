using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.S3;
using Serverless.Local;
using Serverless.Local.Lambda;
using Serverless.Uploads;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// One local cloud for the whole test run, on free ports with its own state folder: real DynamoDB
/// Local, the real Cognito emulator, the real function packages (Native AOT, as deployed) as processes.
/// </summary>
public sealed class LocalCloudFixture : IAsyncLifetime
{
    private readonly ConcurrentQueue<string> log = new();
    private readonly string stateDirectory;
    private readonly string repoRoot;
    private readonly bool watch;
    private readonly bool persist;

    public LocalCloudFixture() : this(LocalCloudOptions.FindRepoRoot(AppContext.BaseDirectory), watch: false)
    {
    }

    /// <summary>A local cloud of the repository at <paramref name="repoRoot"/>: with <paramref name="watch"/>, from fast builds
    /// that reload on a change (<c>--watch</c>); else from the packages. Its state is in <paramref name="stateDirectory"/>
    /// (a new temporary folder when null); with <paramref name="persist"/> it is kept there when it stops (the caller
    /// deletes the folder), else the folder goes.</summary>
    internal LocalCloudFixture(string repoRoot, bool watch, string? stateDirectory = null, bool persist = false)
    {
        this.repoRoot = repoRoot;
        this.watch = watch;
        this.stateDirectory = stateDirectory
            ?? Path.Combine(Path.GetTempPath(), "serverless-e2e-" + Guid.NewGuid().ToString("N")[..8]);
        this.persist = persist;
    }

    public LocalCloud Cloud { get; private set; } = null!;
    public HttpClient Api { get; private set; } = null!;
    public HttpClient Http { get; } = new();

    public string Output(string key) => Cloud.Outputs[key];

    /// <summary>A client for the local cloud's DynamoDB Local, to read and seed the table behind the API's back.</summary>
    public AmazonDynamoDBClient CreateDynamoDb() => LocalClients.DynamoDb(Output("DynamoDbEndpoint"));

    /// <summary>A client for the local cloud's S3 (through the S3 front, as the functions and browsers reach it).</summary>
    public AmazonS3Client CreateS3() => LocalClients.S3(Output("S3Endpoint"));

    /// <summary>Everything the local cloud and its functions printed so far.</summary>
    public IReadOnlyCollection<string> Log => log;

    /// <summary>
    /// Waits (two minutes at most) for a line of the log: a function's lines reach it through a pipe read on its own, so
    /// they may come after the invocation's answer.
    /// </summary>
    public async Task LogLineAsync(Func<string, bool> match, string what)
    {
        for (var waited = 0; !log.Any(match); waited++)
        {
            Assert.True(waited < 1200, $"No log line {what}; log: {string.Join('\n', log.TakeLast(30))}");
            await Task.Delay(100);
        }
    }

    public async Task InitializeAsync()
    {
        var options = new LocalCloudOptions(repoRoot, ApiPort: 0, LambdaPort: 0, DynamoDbPort: 0, CognitoPort: 0, ModelPort: 0,
            S3Port: 0) { StateDirectory = stateDirectory, Packaged = !watch, Watch = watch, Persist = persist, DashboardPort = 0,
            MetricsPort = 0 };
        Cloud = await LocalCloud.StartAsync(options, log.Enqueue, CancellationToken.None);
        Api = new HttpClient { BaseAddress = new Uri(Output("ApiUrl")) };
    }

    public async Task DisposeAsync()
    {
        await Cloud.DisposeAsync();
        Api.Dispose();
        Http.Dispose();
        if (!persist) Directory.Delete(stateDirectory, recursive: true);
    }

    /// <summary>Calls the HTTP API as a signed-in user, with a body (JSON unless said otherwise) if given.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string accessToken, string? body = null,
        string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", accessToken);
        if (body is not null) request.Content = new StringContent(body, System.Text.Encoding.UTF8, contentType);
        return await Api.SendAsync(request);
    }

    /// <summary>POST /uploads as <paramref name="user"/>: the new upload's id and the presigned request that uploads its file.</summary>
    public async Task<(string Id, JsonElement UploadRequest)> CreateUploadAsync(TestUser user, string fileName,
        string contentType = "text/plain", long size = 10)
    {
        using var response = await SendAsync(HttpMethod.Post, "/uploads", user.AccessToken, JsonSerializer.Serialize(new { fileName,
            contentType, size }));
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("upload").GetProperty("uploadId").GetString()!, body.GetProperty("uploadRequest"));
    }

    /// <summary>GET /uploads/{id} as <paramref name="user"/> until the upload is COMPLETED or FAILED.</summary>
    public async Task<JsonElement> UploadEndedAsync(TestUser user, string id)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var response = await SendAsync(HttpMethod.Get, $"/uploads/{id}", user.AccessToken);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            var upload = await response.Content.ReadFromJsonAsync<JsonElement>();
            if (upload.GetProperty("status").GetString() is UploadStatus.Completed or UploadStatus.Failed) return upload;
            Assert.True(attempt < 1200, $"Upload {id} is still {upload.GetProperty("status")}; log: {string.Join('\n', Log.TakeLast(30))}");
            await Task.Delay(100);
        }
    }

    /// <summary>Sets the model server's fault injection (<c>POST /_faults</c>, see infra/ModelServer/README.md).</summary>
    public async Task FaultModelAsync(string fault)
    {
        using var response = await Http.PostAsync($"{Output("SageMakerEndpointUrl")}/_faults", new StringContent(fault,
            System.Text.Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Calls the Cognito emulator's API (AWS JSON 1.1), as an SDK would.</summary>
    public async Task<JsonElement> CognitoAsync(string action, JsonObject request)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, Output("CognitoEndpoint"))
        {
            Content = new StringContent(request.ToJsonString(), System.Text.Encoding.UTF8, "application/x-amz-json-1.1"),
        };
        message.Headers.Add("X-Amz-Target", $"AWSCognitoIdentityProviderService.{action}");
        using var response = await Http.SendAsync(await message.SignedAsync("cognito-idp"));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (!response.IsSuccessStatusCode) throw new CognitoError(action, body);
        return body;
    }

    /// <summary>Signs up and confirms a new user with a unique email; returns its tokens.</summary>
    public async Task<TestUser> NewUserAsync(string? clientId = null, string? userPoolId = null)
    {
        var email = $"user-{Guid.NewGuid():N}@example.com";
        clientId ??= Output("UserPoolClientId");
        userPoolId ??= Output("UserPoolId");
        await CognitoAsync("SignUp", new JsonObject
        {
            ["ClientId"] = clientId,
            ["Username"] = email,
            ["Password"] = TestUser.Password,
            ["UserAttributes"] = new JsonArray(new JsonObject { ["Name"] = "email", ["Value"] = email }),
        });
        await CognitoAsync("AdminConfirmSignUp", new JsonObject { ["UserPoolId"] = userPoolId, ["Username"] = email });
        return await SignInAsync(email, clientId);
    }

    /// <summary>Signs in a user <see cref="NewUserAsync"/> made; returns its new tokens.</summary>
    public async Task<TestUser> SignInAsync(string email, string? clientId = null)
    {
        var auth = await CognitoAsync("InitiateAuth", new JsonObject
        {
            ["ClientId"] = clientId ?? Output("UserPoolClientId"),
            ["AuthFlow"] = "USER_PASSWORD_AUTH",
            ["AuthParameters"] = new JsonObject { ["USERNAME"] = email, ["PASSWORD"] = TestUser.Password },
        });
        var result = auth.GetProperty("AuthenticationResult");
        return new TestUser(email, result.GetProperty("AccessToken").GetString()!, result.GetProperty("IdToken").GetString()!);
    }

    public sealed class CognitoError(string action, JsonElement body) : Exception($"{action}: {body}")
    {
        public string Type => body.TryGetProperty("__type", out var type) ? type.GetString()! : "";
    }
}

public sealed record TestUser(string Email, string AccessToken, string IdToken)
{
    /// <summary>Every test user's password.</summary>
    public const string Password = "Passw0rd!";

    /// <summary>The user's <c>sub</c>, from the access token.</summary>
    public string Sub => JsonDocument.Parse(Base64Url.DecodeFromChars(AccessToken.Split('.')[1])).RootElement.GetProperty("sub")
        .GetString()!;
}

[CollectionDefinition(Name)]
public sealed class LocalCloudCollection : ICollectionFixture<LocalCloudFixture>
{
    public const string Name = "local cloud";
}
