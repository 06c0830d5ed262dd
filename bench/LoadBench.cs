using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Runtime.Loader;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Kernel.AspNetCore;
using Serverless.Local.Lambda;
using Serverless.Profile;

namespace Serverless.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench -- load [--users 50] [--duration 60] [--warmup 5]</c>: virtual users, each
/// signed in as its own Cognito user, run a frontend session's mix of requests in a closed loop (each sends its next
/// request when the last one answered, no think time) for the duration, after a warm-up at the same concurrency that
/// starts the instances and is not measured. The mix (<see cref="Mix"/>) first through the gateway and the Lambda
/// functions, then against the same three API apps on Kestrel in this process; the upload's file goes to the local S3 and
/// ProcessUpload runs in the local cloud both times. Prints, per route, requests/s, p50/p95/p99 and errors; the instances
/// each function started and its invocations' time in and around the function; each process's CPU a request in the window
/// (where the time goes); and the load generator's own ceiling.
/// </summary>
/// <remarks>
/// The load generator is this process: one <see cref="SocketsHttpHandler"/> (HTTP/1.1 keep-alive, a connection per virtual
/// user), async virtual users, bodies serialized once, latencies kept per user and route and sorted once at the end, nothing
/// logged per request. <see cref="CeilingAsync"/> bounds its CPU a request by running it against a no-op endpoint (a few
/// hundred microseconds at most, Kestrel's side included, against milliseconds a request through the local cloud).
/// autocannon, the outside generator tried (50 connections on <c>GET /health</c> through the gateway), used about as much
/// CPU a request (0.28 ms) in a Node process of its own on the same two cores, and cannot sign users in, follow a presigned
/// upload or poll its status.
/// </remarks>
internal static class LoadBench
{
    private enum Route { GetMe, PostPredictions, GetUploads, PostUploads, PutFile, GetUpload, UploadToCompleted }

    private static readonly string[] RouteNames =
        ["GET /me", "POST /predictions", "GET /uploads", "POST /uploads", "PUT file (presigned, S3)", "GET /uploads/{id}",
            "upload, POST /uploads -> COMPLETED"];

    /// <summary>
    /// A frontend session's actions and weights, per 100: the profile as each page opens (30), classifying a few texts,
    /// the product's main action (40), the uploads page's list (28), and now and then a file upload followed to COMPLETED (2).
    /// </summary>
    private static readonly (Route Action, int Weight)[] Mix =
        [(Route.GetMe, 30), (Route.PostPredictions, 40), (Route.GetUploads, 28), (Route.UploadToCompleted, 2)];

    /// <summary>How often the upload page asks for the upload's status while it is processed.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan UploadTimeout = TimeSpan.FromSeconds(60);

    private static readonly byte[] Prediction = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string[]>
    {
        ["texts"] = ["I love this product, it is wonderful!", "The delivery was late and the box was broken.", "It is blue."],
    });
    private static readonly byte[] File = Encoding.UTF8.GetBytes(
        "text\nI love this product!\nThe delivery was late.\nThe box is on the table.\nExcellent quality.\nAwful service.\n");
    private static readonly byte[] NewUpload = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
        $$"""{"fileName":"reviews.csv","contentType":"text/csv","size":{{File.Length}}}"""));

    /// <summary>How many users sign up at once before the run.</summary>
    private static readonly SemaphoreSlim Throttle = new(8);

    /// <summary>What both runs share: the client, the users' access tokens, the times, the invocations, the figures.</summary>
    private sealed record Run(HttpClient Http, string[] Tokens, TimeSpan Duration, TimeSpan Warmup, Invocations Invocations,
        BenchResults Results);

    /// <summary>
    /// What the local Lambda service tells of each invocation (<see cref="LambdaService.Invoked"/>):
    /// the instances each function started (an invocation with an init duration is a new instance's first), and each
    /// invocation's time in the function (Runtime API <c>next</c> to response) and around it (the hand-off to the runtime's
    /// <c>next</c> and the response back to the caller; not an instance's init, nor the wait for a free instance, which
    /// comes before the local Lambda service creates the invocation: a route's latency less both is that wait and the
    /// gateway's own time).
    /// </summary>
    private sealed class Invocations
    {
        public ConcurrentDictionary<string, int> Started { get; } = new(StringComparer.Ordinal);
        public ConcurrentQueue<(string Function, double InFunction, double Around)> Timings { get; } = new();

        public void Observe(FunctionDefinition function, Invocation invocation, InvocationResult result)
        {
            if (result.InitDuration is not null) Started.AddOrUpdate(function.Name, 1, (_, count) => count + 1);
            var total = (DateTimeOffset.UtcNow - invocation.InvokedAt).TotalMilliseconds;
            var inFunction = result.Duration.TotalMilliseconds;
            Timings.Enqueue((function.Name, inFunction, total - inFunction - (result.InitDuration?.TotalMilliseconds ?? 0)));
        }
    }

    /// <summary>Where each API's routes go: the gateway serves all three; on Kestrel each app has its own port.</summary>
    private sealed record Apis(Uri Profile, Uri Predictions, Uri Uploads);

    public static async Task RunAsync(string[] args)
    {
        var users = Option(args, "--users", 50);
        var duration = TimeSpan.FromSeconds(Option(args, "--duration", 60));
        var warmup = TimeSpan.FromSeconds(Option(args, "--warmup", 5));
        var results = new BenchResults("load");
        using var handler = new SocketsHttpHandler
        {
            UseCookies = false, UseProxy = false, AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };

        await CeilingAsync(http, users, results);

        await using var cloud = await BenchCloud.StartAsync();
        var invocations = new Invocations();
        cloud.Lambda.Invoked += invocations.Observe;
        var signUp = Stopwatch.StartNew();
        var tokens = await Task.WhenAll(Enumerable.Range(0, users).Select(async user =>
        {
            await Throttle.WaitAsync();
            try
            {
                return await cloud.SignInNewUserAsync(http, $"load-{user}-{Guid.NewGuid():N}@example.com");
            }
            finally
            {
                Throttle.Release();
            }
        }));
        results.Add($"{users} users signed up, confirmed and signed in, 8 at a time", signUp.Elapsed.TotalSeconds, "s");

        var run = new Run(http, tokens, duration, warmup, invocations, results);
        var api = new Uri(cloud.Outputs["ApiUrl"]);
        var gateway = await MeasureMixAsync(run, "through the gateway", new Apis(api, api, api));

        ConfigureAsFunctions(cloud);
        var user = new BearerTokenUser();
        await using var profile = await StartAsync(ProfileApi.Build, user);
        await using var predictions = await StartAsync(GroupApi(cloud, "Predictions", "PredictionsApi"), user);
        await using var uploads = await StartAsync(GroupApi(cloud, "Uploads", "UploadsApi"), user);
        var kestrel = await MeasureMixAsync(run, "on Kestrel directly",
            new Apis(Address(profile), Address(predictions), Address(uploads)));

        results.Add($"throughput through the gateway / on Kestrel directly ({users} users)", 100 * gateway / kestrel, "%");
        await results.SaveAsync();
    }

    /// <summary>Runs the mix: the warm-up, then the measured window; records every figure; returns its requests/s.</summary>
    private static async Task<double> MeasureMixAsync(Run run, string how, Apis apis)
    {
        var (http, tokens, duration, warmup, invocations, results) = run;
        Console.WriteLine();
        Console.WriteLine(
            $"The mix {how}: {tokens.Length} users, {warmup.TotalSeconds:0} s warm-up, {duration.TotalSeconds:0} s measured");
        invocations.Started.Clear();
        await RunUsersAsync(http, apis, tokens, warmup);
        invocations.Timings.Clear();
        var cpuBefore = ProcessCpu.Read();
        var watch = Stopwatch.StartNew();
        var recorders = await RunUsersAsync(http, apis, tokens, duration);
        var elapsed = watch.Elapsed;
        var cpuAfter = ProcessCpu.Read();

        var requests = 0;
        foreach (var route in Enum.GetValues<Route>())
        {
            var latencies = recorders.SelectMany(recorder => recorder.Latencies[(int)route]).Order().ToList();
            var errors = recorders.SelectMany(recorder => recorder.Errors[(int)route]).ToList();
            if (latencies.Count == 0) continue;
            var name = $"{RouteNames[(int)route]} {how}";
            if (route != Route.UploadToCompleted)
            {
                requests += latencies.Count;
                results.Add($"{name} requests/s", latencies.Count / elapsed.TotalSeconds, "req/s");
            }
            else
                results.Add($"{name} uploads", latencies.Count, "uploads");
            results.Add($"{name} p50", Percentile(latencies, 0.50), "ms");
            results.Add($"{name} p95", Percentile(latencies, 0.95), "ms");
            results.Add($"{name} p99", Percentile(latencies, 0.99), "ms");
            results.Add($"{name} errors", errors.Count, "errors");
            foreach (var (error, count) in errors.CountBy(error => error))
                Console.WriteLine($"  {count} x {error}");
        }
        var throughput = requests / elapsed.TotalSeconds;
        results.Add($"all requests {how} ({tokens.Length} users) requests/s", throughput, "req/s");
        foreach (var (function, count) in invocations.Started.OrderBy(function => function.Key, StringComparer.Ordinal))
            results.Add($"instances started {how} (warm-up and window), {function}", count, "instances");
        foreach (var function in invocations.Timings.GroupBy(timing => timing.Function).OrderBy(function => function.Key))
        {
            var inFunction = function.Select(timing => timing.InFunction).Order().ToList();
            var around = function.Select(timing => timing.Around).Order().ToList();
            results.Add($"{function.Key} {how}, invocations", inFunction.Count, "invocations");
            results.Add($"{function.Key} {how}, time in the function p50", Percentile(inFunction, 0.50), "ms");
            results.Add($"{function.Key} {how}, time in the function p99", Percentile(inFunction, 0.99), "ms");
            results.Add($"{function.Key} {how}, time around the function (Runtime API hand-offs) p50", Percentile(around, 0.50), "ms");
            results.Add($"{function.Key} {how}, time around the function (Runtime API hand-offs) p99", Percentile(around, 0.99), "ms");
        }
        // The machine is shared: each process's CPU a request says where the time goes whatever share the others took.
        var (machine, ours, processes) = ProcessCpu.Used(cpuBefore, cpuAfter);
        results.Add($"CPU {how}, the whole machine (every process, others' too)", 100 * machine / elapsed.TotalSeconds, "% of a core");
        results.Add($"CPU {how}, this bench's processes together", 100 * ours / elapsed.TotalSeconds, "% of a core");
        results.Add($"CPU a request {how}, this bench's processes together", 1000 * ours / requests, "ms");
        foreach (var (process, seconds) in processes)
            results.Add($"CPU a request {how}, {process}", 1000 * seconds / requests, "ms");
        return throughput;
    }

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Ceiling(p * sorted.Count) - 1];

    /// <summary>Runs every user for <paramref name="duration"/>: none starts an action after it; an upload under way is
    /// followed to its end.</summary>
    private static async Task<Recorder[]> RunUsersAsync(HttpClient http, Apis apis, string[] tokens, TimeSpan duration)
    {
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        return await Task.WhenAll(tokens.Select(async (token, index) =>
        {
            var user = new VirtualUser(http, apis, new AuthenticationHeaderValue("Bearer", token), new Random(index));
            while (Stopwatch.GetTimestamp() < end) await user.NextAsync();
            return user.Recorder;
        }));
    }

    /// <summary>One user's latencies and errors, per <see cref="Route"/>: kept apart per user so no lock is taken.</summary>
    private sealed class Recorder
    {
        public List<double>[] Latencies { get; } = [.. Enum.GetValues<Route>().Select(_ => new List<double>())];
        public List<string>[] Errors { get; } = [.. Enum.GetValues<Route>().Select(_ => new List<string>())];
    }

    private sealed class VirtualUser(HttpClient http, Apis apis, AuthenticationHeaderValue authorization, Random random)
    {
        public Recorder Recorder { get; } = new();

        public async Task NextAsync()
        {
            var pick = random.Next(Mix.Sum(action => action.Weight));
            var action = Mix.First(action => (pick -= action.Weight) < 0).Action;
            switch (action)
            {
                case Route.GetMe:
                    (await SendAsync(Route.GetMe, HttpMethod.Get, new Uri(apis.Profile, "/me")))?.Dispose();
                    break;
                case Route.PostPredictions:
                    var predictions = new Uri(apis.Predictions, "/predictions");
                    (await SendAsync(Route.PostPredictions, HttpMethod.Post, predictions, Prediction))?.Dispose();
                    break;
                case Route.GetUploads:
                    (await SendAsync(Route.GetUploads, HttpMethod.Get, new Uri(apis.Uploads, "/uploads")))?.Dispose();
                    break;
                default:
                    await UploadAsync();
                    break;
            }
        }

        /// <summary>As the upload page does: asks for the presigned PUT, sends the file with exactly its headers, and asks for
        /// the upload's status every <see cref="PollInterval"/> until it is COMPLETED.</summary>
        private async Task UploadAsync()
        {
            var started = Stopwatch.GetTimestamp();
            using var created = await SendAsync(Route.PostUploads, HttpMethod.Post, new Uri(apis.Uploads, "/uploads"), NewUpload);
            if (created is null) return;
            using var answer = JsonDocument.Parse(await created.Content.ReadAsStreamAsync());
            var uploadId = answer.RootElement.GetProperty("upload").GetProperty("uploadId").GetString()!;
            var presigned = answer.RootElement.GetProperty("uploadRequest");
            var put = new HttpRequestMessage(HttpMethod.Put, presigned.GetProperty("url").GetString())
            {
                Content = new ByteArrayContent(File),
            };
            foreach (var header in presigned.GetProperty("headers").EnumerateObject())
                if (!put.Headers.TryAddWithoutValidation(header.Name, header.Value.GetString()))
                    put.Content.Headers.TryAddWithoutValidation(header.Name, header.Value.GetString());
            using (var sent = await SendAsync(Route.PutFile, put))
                if (sent is null) return;
            var status = new Uri(apis.Uploads, $"/uploads/{uploadId}");
            while (Stopwatch.GetElapsedTime(started) < UploadTimeout)
            {
                await Task.Delay(PollInterval);
                using var polled = await SendAsync(Route.GetUpload, HttpMethod.Get, status);
                if (polled is null) return;
                using var upload = JsonDocument.Parse(await polled.Content.ReadAsStreamAsync());
                switch (upload.RootElement.GetProperty("status").GetString())
                {
                    case "COMPLETED":
                        Recorder.Latencies[(int)Route.UploadToCompleted].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                        return;
                    case "FAILED" or "CANCELLED":
                        Recorder.Errors[(int)Route.UploadToCompleted].Add(upload.RootElement.GetRawText());
                        return;
                }
            }
            Recorder.Errors[(int)Route.UploadToCompleted].Add($"not COMPLETED after {UploadTimeout.TotalSeconds:0} s");
        }

        private Task<HttpResponseMessage?> SendAsync(Route route, HttpMethod method, Uri uri, byte[]? json = null)
        {
            var request = new HttpRequestMessage(method, uri);
            request.Headers.Authorization = authorization;
            if (json is not null)
                request.Content = new ByteArrayContent(json) { Headers = { ContentType = new("application/json") } };
            return SendAsync(route, request);
        }

        /// <summary>Sends and reads the whole answer; records its latency, and an error for an exception or a status other
        /// than 2xx (then null).</summary>
        private async Task<HttpResponseMessage?> SendAsync(Route route, HttpRequestMessage request)
        {
            using (request)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    var response = await http.SendAsync(request);
                    await response.Content.LoadIntoBufferAsync();
                    Recorder.Latencies[(int)route].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    if (response.IsSuccessStatusCode) return response;
                    Recorder.Errors[(int)route].Add($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    response.Dispose();
                }
                catch (Exception error) when (error is HttpRequestException or TaskCanceledException)
                {
                    Recorder.Latencies[(int)route].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    Recorder.Errors[(int)route].Add($"{error.GetType().Name}: {error.Message}");
                }
                return null;
            }
        }
    }

    /// <summary>
    /// The generator's own ceiling: the same users and client against a no-op endpoint on Kestrel in this process for 3 s.
    /// Every request there costs the generator and Kestrel both, so 2 cores / this rate bounds the generator's CPU a request.
    /// </summary>
    private static async Task CeilingAsync(HttpClient http, int users, BenchResults results)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        app.MapGet("/", () => "ok");
        await app.StartAsync();
        var uri = new Uri(Address(app), "/");
        var requests = 0L;
        var end = Stopwatch.GetTimestamp() + 3 * Stopwatch.Frequency;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, users).Select(async _ =>
        {
            while (Stopwatch.GetTimestamp() < end)
            {
                using var response = await http.GetAsync(uri);
                response.EnsureSuccessStatusCode();
                Interlocked.Increment(ref requests);
            }
        }));
        var rate = requests / watch.Elapsed.TotalSeconds;
        results.Add($"load generator ceiling, {users} users on a no-op Kestrel endpoint in this process", rate, "req/s");
        results.Add("load generator CPU a request, at most (2 cores / its ceiling)", 2 * 1e6 / rate, "us");
    }

    /// <summary>
    /// This process takes the environment the API functions run with in the local cloud (their table, pool, bucket, model
    /// endpoint and emulators' endpoints), minus what is Lambda's own (the runtime, the handler, the heap cap), and their
    /// logs at WARN, as the other Kestrel figures (bench/Program.cs) run.
    /// </summary>
    private static void ConfigureAsFunctions(BenchCloud cloud)
    {
        var variables = new Dictionary<string, string>();
        var apis = cloud.Functions.Where(function => function.Handler is "ProfileApi" or "PredictionsApi" or "UploadsApi");
        foreach (var function in apis)
            foreach (var (name, value) in function.Environment)
            {
                if (name is "PATH" or "LANG" or "TZ" || new[] { "_", "LAMBDA_", "AWS_LAMBDA_", "DOTNET_" }
                        .Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)))
                    continue;
                if (variables.TryGetValue(name, out var other) && other != value)
                    throw new InvalidOperationException(
                        $"The API functions' {name} differ ({other}, {value}), and this process runs them all.");
                variables[name] = value;
            }
        variables["AWS_LAMBDA_LOG_LEVEL"] = "WARN";
        foreach (var (name, value) in variables) Environment.SetEnvironmentVariable(name, value);
    }

    private static async Task<WebApplication> StartAsync(Func<Action<WebApplicationBuilder>, WebApplication> build,
        BearerTokenUser user)
    {
        var app = build(builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Services.AddSingleton<IStartupFilter>(user);
        });
        await app.StartAsync();
        return app;
    }

    /// <summary>
    /// The <c>Build</c> method of a group's API, from the group's build beside the bench's (bin/{configuration}/{framework}),
    /// loaded in a context of its own since every group's assembly is named bootstrap; the rest of what it uses (Kernel,
    /// ServiceDefaults, the AWS SDK, ASP.NET Core) comes from the bench's, the same code.
    /// </summary>
    private static Func<Action<WebApplicationBuilder>, WebApplication> GroupApi(BenchCloud cloud, string group, string api)
    {
        var output = Path.GetRelativePath(Path.Combine(cloud.Options.RepoRoot, "bench"), AppContext.BaseDirectory);
        var assembly = new AssemblyLoadContext(group).LoadFromAssemblyPath(
            Path.Combine(cloud.Options.RepoRoot, "functions", group, output, "bootstrap.dll"));
        var build = assembly.GetType($"Serverless.{group}.{api}", throwOnError: true)!
            .GetMethod("Build", BindingFlags.Public | BindingFlags.Static)!;
        return build.CreateDelegate<Func<Action<WebApplicationBuilder>, WebApplication>>();
    }

    private static Uri Address(WebApplication app) => new(app.Urls.First());

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>
    /// On Kestrel, puts on each request the user its access token names, with the token's claims as API Gateway's JWT
    /// authorizer passes them to the function (the gateway verified the token; here nothing does).
    /// </summary>
    private sealed class BearerTokenUser : IStartupFilter
    {
        private readonly ConcurrentDictionary<string, ClaimsPrincipal> users = new(StringComparer.Ordinal);

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                var user = users.GetOrAdd(context.Request.Headers.Authorization.ToString(), FromToken);
                context.Features.Set<IHttpAuthenticationFeature>(new HttpAuthenticationFeature { User = user });
                return nextMiddleware(context);
            });
            next(app);
        };

        private static ClaimsPrincipal FromToken(string authorization)
        {
            var payload = authorization.Split(' ')[1].Split('.')[1];
            using var claims = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(payload));
            return new ClaimsPrincipal(new ClaimsIdentity(
                claims.RootElement.EnumerateObject().Select(claim => new Claim(claim.Name,
                    claim.Value.ValueKind == JsonValueKind.String ? claim.Value.GetString()! : claim.Value.GetRawText())),
                LambdaServer.AuthenticationType, "username", "cognito:groups"));
        }
    }
}
