using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using Serverless.Local;
using Serverless.Local.Lambda;
using Serverless.Local.Processes;
using Serverless.Local.Template;

namespace Serverless.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench -- coldstart</c>: every function's cold start, from a new process to its first
/// response through the local Runtime API, in two builds of its group: the Native AOT package (the Makefile target
/// <c>sam build</c> runs) and a ReadyToRun, trimmed, self-contained publish of the same code (the packages before Native
/// AOT). An API function answers its first <c>GET /health</c>, a reactive one its sample event from <c>events/</c>, with
/// the emulators of the bench's own local cloud. The median of <see cref="Runs"/> runs, the two builds alternated; and
/// each package's size zipped, as Lambda takes it. Both builds go to <c>.local/bench/</c>, never to the local cloud's
/// <c>.local/build/</c>.
/// </summary>
internal static class ColdStartBench
{
    private const int Runs = 11;

    private enum Build { NativeAot, ReadyToRun }

    private sealed record Function(string LogicalId, string CodeUri, bool IsApi, byte[] Event, FunctionDefinition Definition);

    public static async Task RunAsync()
    {
        await using var cloud = await BenchCloud.StartAsync();
        var repoRoot = cloud.Options.RepoRoot;
        var functions = Functions(cloud, repoRoot);

        var packages = new Dictionary<(string CodeUri, Build Build), string>();
        foreach (var group in functions.GroupBy(function => function.CodeUri))
        {
            var folder = group.Key.Replace('/', '_');
            packages[(group.Key, Build.NativeAot)] = await FunctionPackages.BuildAsync(repoRoot, group.Key, group.First().LogicalId,
                Path.Combine(repoRoot, ".local", "bench", "aot", folder), Console.WriteLine, CancellationToken.None);
            packages[(group.Key, Build.ReadyToRun)] = await PublishReadyToRunAsync(repoRoot, group.Key, folder);
        }

        var timings = functions.ToDictionary(function => function.LogicalId,
            _ => new Dictionary<Build, List<double>> { [Build.NativeAot] = [], [Build.ReadyToRun] = [] });
        for (var run = 0; run < Runs; run++)
            foreach (var function in functions)
                foreach (var build in run % 2 == 0 ? [Build.NativeAot, Build.ReadyToRun] : new[] { Build.ReadyToRun, Build.NativeAot })
                    timings[function.LogicalId][build].Add(await ColdStartAsync(cloud, function, packages[(function.CodeUri, build)]));

        Console.WriteLine();
        Console.WriteLine($"Cold start, process start -> first response (median of {Runs}, the builds alternated):");
        Console.WriteLine($"{"function",-30} {"first request",-22} {"Native AOT",12} {"ReadyToRun",12} {"AOT / R2R",10}");
        foreach (var function in functions)
        {
            var aot = Median(timings[function.LogicalId][Build.NativeAot]);
            var readyToRun = Median(timings[function.LogicalId][Build.ReadyToRun]);
            var request = function.IsApi ? "GET /health" : Path.GetFileName(SampleEvent(repoRoot, function.LogicalId));
            Console.WriteLine($"{function.LogicalId,-30} {request,-22} {aot,9:0} ms {readyToRun,9:0} ms {aot / readyToRun,10:0.00}");
        }
        Console.WriteLine();
        Console.WriteLine("Package size zipped (1 MB = 10^6 bytes):");
        Console.WriteLine($"{"package",-30} {"Native AOT",12} {"ReadyToRun",12}");
        foreach (var codeUri in functions.Select(function => function.CodeUri).Distinct())
            Console.WriteLine($"{codeUri,-30} {ZippedMegabytes(packages[(codeUri, Build.NativeAot)]),9:0.0} MB "
                + $"{ZippedMegabytes(packages[(codeUri, Build.ReadyToRun)]),9:0.0} MB");
    }

    /// <summary>The template's functions, each with the definition the bench's local cloud runs it with (its environment
    /// names the cloud's emulators and resources) and the event of its first request.</summary>
    private static List<Function> Functions(BenchCloud cloud, string repoRoot)
    {
        var template = SamTemplate.Load(cloud.Options.TemplatePath);
        var apis = template.FunctionEvents("HttpApi").Select(trigger => trigger.LogicalId).ToHashSet();
        var health = File.ReadAllBytes(Path.Combine(repoRoot, "events", "ProfileApiFunction", "get-health.json"));
        return template.ResourcesOfType("AWS::Serverless::Function").Select(resource =>
        {
            var properties = template.FunctionProperties(resource.LogicalId);
            var handler = properties["Handler"]!.GetValue<string>();
            var isApi = apis.Contains(resource.LogicalId);
            return new Function(resource.LogicalId, properties["CodeUri"]!.GetValue<string>(), isApi,
                isApi ? health : File.ReadAllBytes(SampleEvent(repoRoot, resource.LogicalId)),
                cloud.Functions.Single(function => function.Handler == handler));
        }).ToList();
    }

    /// <summary>A reactive function's first sample event (every sample runs in the tests, so each is a valid one).</summary>
    private static string SampleEvent(string repoRoot, string logicalId) =>
        Directory.GetFiles(Path.Combine(repoRoot, "events", logicalId), "*.json")
            .Where(path => !path.EndsWith(".expected.json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .First();

    /// <summary>
    /// The group as it was published before Native AOT, in a folder of the bench's own: <c>--artifacts-path</c> keeps its
    /// intermediate files apart from the AOT build's, so neither publish makes the other rebuild.
    /// </summary>
    private static async Task<string> PublishReadyToRunAsync(string repoRoot, string codeUri, string folder)
    {
        var bench = Path.Combine(repoRoot, ".local", "bench");
        var output = Path.Combine(bench, "readytorun", folder);
        Console.WriteLine($"[build] {codeUri}: ReadyToRun publish (a minute or more)");
        var (exitCode, recent) = await ChildProcess.RunAsync("publish", "dotnet",
        [
            "publish", Path.Combine(repoRoot, codeUri), "-c", "Release", "-r", "linux-x64", "--self-contained", "true",
            "--artifacts-path", Path.Combine(bench, "readytorun-artifacts"), "-o", output,
            "-p:PublishAot=false", "-p:PublishReadyToRun=true", "-p:PublishTrimmed=true",
        ]);
        if (exitCode != 0)
            throw new InvalidOperationException($"The ReadyToRun publish of {codeUri} failed:{Environment.NewLine}"
                + string.Join(Environment.NewLine, recent.TakeLast(40)));
        return output;
    }

    /// <summary>One cold start: a new Lambda service with the function from <paramref name="package"/>, whose first
    /// invocation starts the process; the time until its response.</summary>
    private static async Task<double> ColdStartAsync(BenchCloud cloud, Function function, string package)
    {
        var definition = function.Definition with
        {
            PackageDirectory = package,
            Environment = new Dictionary<string, string>(function.Definition.Environment) { ["LAMBDA_TASK_ROOT"] = package },
        };
        await using var lambda = await LambdaService.StartAsync(0, cloud.Options.AsyncInvocations, _ => { });
        lambda.Register(definition);
        var started = Stopwatch.GetTimestamp();
        var result = await lambda.InvokeAsync(definition.Name, function.Event, CancellationToken.None);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        using var response = JsonDocument.Parse(result.Payload);
        if (result.FunctionError is not null
            || function.IsApi && response.RootElement.GetProperty("statusCode").GetInt32() != 200)
            throw new InvalidOperationException(
                $"{function.LogicalId} from {package} failed: {System.Text.Encoding.UTF8.GetString(result.Payload)}");
        return elapsed;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static double ZippedMegabytes(string package)
    {
        var zip = Path.GetTempFileName();
        try
        {
            File.Delete(zip);
            ZipFile.CreateFromDirectory(package, zip, CompressionLevel.Optimal, includeBaseDirectory: false);
            return new FileInfo(zip).Length / 1e6;
        }
        finally
        {
            File.Delete(zip);
        }
    }
}
