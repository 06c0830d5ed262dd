using System.Text;
using Serverless.Local.Lambda;

namespace Serverless.Local.Tests.Lambda;

/// <summary>
/// A local Lambda service with tiny shell-script runtimes that speak the Runtime API with curl, so each Lambda
/// behaviour is driven exactly. Each function's package folder is <c>$PACKAGE_DIR</c> in its environment
/// (scripts leave traces there); the service's failure records go under <see cref="FailuresDirectory"/>.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class ShellFunctions : IAsyncDisposable
{
    /// <summary>Waits for the next invocation: its request id in <c>$id</c>, its payload in <c>event</c>.</summary>
    public const string Next = """
        curl -s -D headers -o event "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next"
        id=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' headers | cut -d' ' -f2 | tr -d '\r')
        """;

    /// <summary>
    /// Notes each invocation's request id in <c>started</c>, holds it until the file <c>release</c> exists, answers with its
    /// process id and notes the request id in <c>answered</c>.
    /// </summary>
    public const string Held = $$"""
        while true; do
          {{Next}}
          echo "$id" >> "$PACKAGE_DIR/started"
          while [ ! -e "$PACKAGE_DIR/release" ]; do sleep 0.05; done
          printf '{"pid":%s}' "$$" > answer
          curl -s -X POST --data-binary @answer "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$id/response"
          echo "$id" >> "$PACKAGE_DIR/answered"
        done
        """;

    private readonly HttpClient http = new();
    private readonly string root;
    private readonly List<string> log;

    private ShellFunctions(LambdaService service, string root, List<string> log)
    {
        Service = service;
        this.root = root;
        this.log = log;
    }

    public LambdaService Service { get; }
    public string FailuresDirectory => Path.Combine(root, "failures");

    /// <summary>A service whose asynchronous retries wait 50 ms, then 100 ms, on <paramref name="time"/> (default: the system's),
    /// with <paramref name="scaling"/> (default: <see cref="ScalingSettings.Default"/>).</summary>
    public static async Task<ShellFunctions> StartAsync(TimeProvider? time = null, ScalingSettings? scaling = null)
    {
        var root = Path.Combine(Path.GetTempPath(), "lambda-service-" + Guid.NewGuid().ToString("N")[..8]);
        var log = new List<string>();
        var service = await LambdaService.StartAsync(0,
            new AsyncInvocationSettings(Path.Combine(root, "failures"), TimeSpan.FromMilliseconds(50)) { Time = time
                ?? TimeProvider.System },
            line => { lock (log) log.Add(line); }, scaling);
        return new ShellFunctions(service, root, log);
    }

    public IReadOnlyList<string> Log
    {
        get { lock (log) return log.ToList(); }
    }

    public string PackageDirectory(string name) => Path.Combine(root, name);

    /// <param name="reservedConcurrency">The function's <c>ReservedConcurrentExecutions</c>; none when null.</param>
    public void Register(string name, string script, TimeSpan? timeout = null, EventInvokeConfig? eventInvokeConfig = null,
        string? alias = null, int? reservedConcurrency = null, int memorySize = 128)
    {
        var directory = ShellFunction.WritePackage(PackageDirectory(name), script);
        Service.Register(new FunctionDefinition(name, $"{name}.handler", directory, timeout ?? TimeSpan.FromSeconds(10), memorySize,
            reservedConcurrency,
            new Dictionary<string, string> { ["_HANDLER"] = $"{name}.handler", ["PATH"] = "/usr/bin:/bin", ["PACKAGE_DIR"] = directory },
            eventInvokeConfig, alias));
    }

    /// <param name="traceHeader">The caller's <c>X-Amzn-Trace-Id</c>; none when null.</param>
    public async Task<HttpResponseMessage> InvokeAsync(string function, string payload, string invocationType = "RequestResponse",
        string? qualifier = null, string? traceHeader = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post,
            $"{Service.Endpoint}/2015-03-31/functions/{Uri.EscapeDataString(function)}/invocations"
                + (qualifier is null ? "" : $"?Qualifier={Uri.EscapeDataString(qualifier)}"))
        {
            Content = new StringContent(payload, Encoding.UTF8),
        };
        request.Headers.Add("X-Amz-Invocation-Type", invocationType);
        if (traceHeader is not null) request.Headers.Add("X-Amzn-Trace-Id", traceHeader);
        return await http.SendAsync(await request.SignedAsync("lambda"));
    }

    /// <summary>Lets every invocation of <paramref name="function"/> (a <see cref="Held"/> one) answer.</summary>
    public void Release(string function) => File.WriteAllText(Path.Combine(PackageDirectory(function), "release"), "");

    /// <summary>Waits until <paramref name="condition"/> holds (a minute at most: processes start slowly on a busy machine).</summary>
    public async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var giveUp = DateTime.UtcNow.AddMinutes(1);
        while (!condition())
        {
            if (DateTime.UtcNow > giveUp)
                throw new TimeoutException(
                    $"Still waiting for {what}. The service's log:{Environment.NewLine}{string.Join(Environment.NewLine, Log)}");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Service.DisposeAsync();
        http.Dispose();
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }
}
