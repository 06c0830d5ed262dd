using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Bench;
using Serverless.Kernel.AspNetCore;
using Serverless.Local;
using Serverless.Local.Lambda;
using Serverless.Profile;

// The figures: local cloud ready time, cold starts, warm GET /me through the gateway versus the same
// app on Kestrel (in turn, request by request), POST /predictions with 1 and 32 texts. Runs its own local cloud on free ports.
// `bench -- uploads`: ProcessUpload rows/s and peak memory (UploadBench.cs).
// `bench -- streams`: stream lag and records/s through MeterUsage (StreamBench.cs).
// `bench -- coldstart`: every function's cold start, Native AOT against ReadyToRun, and the packages' sizes (ColdStartBench.cs).
if (args is ["uploads"])
{
    await Serverless.Bench.UploadBench.RunAsync();
    return 0;
}
if (args is ["streams"])
{
    await Serverless.Bench.StreamBench.RunAsync();
    return 0;
}
if (args is ["coldstart"])
{
    await Serverless.Bench.ColdStartBench.RunAsync();
    return 0;
}

const int Requests = 1000;
var results = new BenchResults("api");
var watch = Stopwatch.StartNew();
await using var cloud = await BenchCloud.StartAsync();
results.Add("local cloud ready (packages built, emulators installed)", watch.Elapsed.TotalSeconds, "s");

using var http = new HttpClient();
string Output(string key) => cloud.Outputs[key];

// CreateProfile: cold (a new process: start, init, first invocation), then warm, through the Invoke API.
var trigger = new JsonObject
{
    ["version"] = "1", ["region"] = LocalAccount.Region, ["userPoolId"] = Output("UserPoolId"), ["userName"] = "bench",
    ["callerContext"] = new JsonObject { ["awsSdkVersion"] = "bench", ["clientId"] = Output("UserPoolClientId") },
    ["triggerSource"] = "PostConfirmation_ConfirmSignUp",
    ["request"] = new JsonObject { ["userAttributes"] =
        new JsonObject { ["sub"] = Guid.NewGuid().ToString(), ["email"] = "bench@example.com" } },
    ["response"] = new JsonObject(),
}.ToJsonString();
async Task<double> InvokeCreateProfileAsync()
{
    var started = Stopwatch.GetTimestamp();
    using var response = await http.SendAsync(await new HttpRequestMessage(HttpMethod.Post,
        $"{Output("LambdaEndpoint")}/2015-03-31/functions/CreateProfileFunction/invocations") { Content = new StringContent(trigger) }
        .SignedAsync("lambda"));
    response.EnsureSuccessStatusCode();
    return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}
results.Add("CreateProfile cold invocation (process start -> response)", await InvokeCreateProfileAsync(), "ms");
results.Add("CreateProfile warm invocation", await InvokeCreateProfileAsync(), "ms");

// A signed-in user (the confirmation runs CreateProfile, warm by now).
var email = $"bench-{Guid.NewGuid():N}@example.com";
await CognitoAsync("SignUp", new JsonObject
{
    ["ClientId"] = Output("UserPoolClientId"), ["Username"] = email, ["Password"] = "Passw0rd!",
    ["UserAttributes"] = new JsonArray(new JsonObject { ["Name"] = "email", ["Value"] = email }),
});
await CognitoAsync("AdminConfirmSignUp", new JsonObject { ["UserPoolId"] = Output("UserPoolId"), ["Username"] = email });
var auth = await CognitoAsync("InitiateAuth", new JsonObject
{
    ["ClientId"] = Output("UserPoolClientId"), ["AuthFlow"] = "USER_PASSWORD_AUTH",
    ["AuthParameters"] = new JsonObject { ["USERNAME"] = email, ["PASSWORD"] = "Passw0rd!" },
});
var token = auth.GetProperty("AuthenticationResult").GetProperty("AccessToken").GetString()!;
var sub = JsonDocument.Parse(Base64Url(token.Split('.')[1])).RootElement.GetProperty("sub").GetString()!;

using var api = new HttpClient { BaseAddress = new Uri(Output("ApiUrl")) };
api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
var cold = Stopwatch.GetTimestamp();
(await api.GetAsync("/me")).EnsureSuccessStatusCode();
results.Add("ProfileApi cold GET /me through the gateway (process start -> response)",
    Stopwatch.GetElapsedTime(cold).TotalMilliseconds, "ms");

// POST /predictions through the gateway: the function, the SageMaker client and the model server, one text and 32.
const int PredictionRequests = 100;
foreach (var texts in new[] { 1, 32 })
{
    var body = JsonSerializer.Serialize(
        new { texts = Enumerable.Range(0, texts).Select(i => $"Review {i}: the service was great and I loved it.").ToArray() });
    Task<HttpResponseMessage> PostAsync() =>
        api.PostAsync("/predictions", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
    (await PostAsync()).EnsureSuccessStatusCode(); // the first is the cold start
    Report($"POST /predictions with {texts} text(s) through the gateway", await MeasureAsync(PostAsync, PredictionRequests));
}

// The same app on Kestrel in this process, with the function's environment (its settings, emulators and log level) and
// the user the authorizer would have passed.
foreach (var (name, value) in cloud.Functions.Single(function => function.Handler == "ProfileApi").Environment)
    Environment.SetEnvironmentVariable(name, value);
var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", sub)], LambdaServer.AuthenticationType));
await using var kestrel = ProfileApi.Build(builder =>
{
    builder.WebHost.UseUrls("http://127.0.0.1:0");
    builder.Services.AddSingleton<IStartupFilter>(new AuthorizerUser(user));
});
await kestrel.StartAsync();
using var direct = new HttpClient { BaseAddress = new Uri(kestrel.Urls.First()) };
(await direct.GetAsync("/me")).EnsureSuccessStatusCode();
// Request by request in turn, so that both see the same load on a shared machine.
var (throughGateway, onKestrel) = await MeasureInTurnAsync(() => api.GetAsync("/me"), () => direct.GetAsync("/me"));
var gatewayP50 = Report("GET /me through the gateway (Lambda process, Runtime API)", throughGateway);
var kestrelP50 = Report("GET /me on Kestrel directly (same app, same DynamoDB Local)", onKestrel);
results.Add("GET /me gateway overhead over Kestrel p50", gatewayP50 - kestrelP50, "ms");
await results.SaveAsync();
return 0;

/// <summary>Sequential requests alternating between two senders, the one that goes first changing each round.</summary>
static async Task<(List<double> First, List<double> Second)> MeasureInTurnAsync(Func<Task<HttpResponseMessage>> first,
    Func<Task<HttpResponseMessage>> second, int requests = Requests)
{
    var (firsts, seconds) = (new List<double>(requests), new List<double>(requests));
    for (var i = 0; i < requests; i++)
    {
        if (i % 2 == 0)
        {
            firsts.AddRange(await MeasureAsync(first, 1));
            seconds.AddRange(await MeasureAsync(second, 1));
        }
        else
        {
            seconds.AddRange(await MeasureAsync(second, 1));
            firsts.AddRange(await MeasureAsync(first, 1));
        }
    }
    return (firsts, seconds);
}

static async Task<List<double>> MeasureAsync(Func<Task<HttpResponseMessage>> send, int requests = Requests)
{
    var latencies = new List<double>(requests);
    for (var i = 0; i < requests; i++)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await send();
        response.EnsureSuccessStatusCode();
        latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }
    return latencies;
}

// Records p50 and p99 of sequential requests; returns the p50.
double Report(string what, List<double> latencies)
{
    latencies.Sort();
    double Percentile(double p) => latencies[(int)Math.Ceiling(p * latencies.Count) - 1];
    results.Add($"{what} p50 ({latencies.Count} sequential requests)", Percentile(0.50), "ms");
    results.Add($"{what} p99 ({latencies.Count} sequential requests)", Percentile(0.99), "ms");
    return Percentile(0.50);
}

async Task<JsonElement> CognitoAsync(string action, JsonObject request)
{
    using var message = new HttpRequestMessage(HttpMethod.Post, Output("CognitoEndpoint"))
    {
        Content = new StringContent(request.ToJsonString(), System.Text.Encoding.UTF8, "application/x-amz-json-1.1"),
    };
    message.Headers.Add("X-Amz-Target", $"AWSCognitoIdentityProviderService.{action}");
    using var response = await http.SendAsync(await message.SignedAsync("cognito-idp"));
    response.EnsureSuccessStatusCode();
    return await response.Content.ReadFromJsonAsync<JsonElement>();
}

static string Base64Url(string segment)
{
    var text = segment.Replace('-', '+').Replace('_', '/');
    return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(text.PadRight(text.Length + (4 - text.Length % 4) % 4, '=')));
}

/// <summary>Puts the authorizer's user on every request first, as the Lambda bridge does.</summary>
internal sealed class AuthorizerUser(ClaimsPrincipal user) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            context.Features.Set<IHttpAuthenticationFeature>(new HttpAuthenticationFeature { User = user });
            return nextMiddleware(context);
        });
        next(app);
    };
}
