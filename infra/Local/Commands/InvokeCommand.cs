using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Local.Lambda;
using Serverless.Local.Template;

namespace Serverless.Local.Commands;

/// <summary>
/// <c>invoke &lt;LogicalId&gt; [--event file] [--env-vars file] [--parameter-overrides 'Key=Value ...'] [--packaged]</c>, as
/// <c>sam local invoke</c>: builds the function's group (a fast build; with <c>--packaged</c> the package, the Makefile target, as
/// <c>sam build</c>: see <see cref="FunctionBuilds"/>), runs its real <c>bootstrap</c> once under the local
/// Lambda service with the template's environment (its <c>Ref</c>s to parameters resolved with the parameter overrides, checked as
/// the local cloud checks them) plus the env-vars overrides, against the running local cloud's emulators when <c>.local/outputs.json</c>
/// answers (else with the template's values and the caller's AWS credentials, as SAM does). The response goes to stdout;
/// the function's output, END and REPORT to stderr; the exit code is 1 on a function error.
/// </summary>
public static class InvokeCommand
{
    public const string Usage =
        "invoke <FunctionLogicalId> [--event|-e <file>|-] [--env-vars|-n <file>] [--parameter-overrides 'Key=Value ...'] [--packaged]";

    private static readonly Dictionary<string, string> Options = new()
    {
        ["--event"] = "--event", ["-e"] = "--event", ["--env-vars"] = "--env-vars", ["-n"] = "--env-vars",
        ["--parameter-overrides"] = "--parameter-overrides", ["--packaged"] = "--packaged",
    };

    /// <summary>What the function sees of the caller's AWS settings when no local cloud runs.</summary>
    private static readonly string[] CallerVariables = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION",
        "AWS_DEFAULT_REGION"];

    public static async Task<int> RunAsync(LocalCloudOptions options, string[] args, TextWriter stdout, TextWriter stderr,
        CancellationToken cancellationToken)
    {
        var line = CommandLine.Parse(args, Options, new HashSet<string> { "--packaged" });
        if (line.Words is not [var logicalId])
            throw new UsageException("invoke takes one function logical id.");
        if (LoadTemplate(options, line, logicalId, stderr) is not { } template
            || await ReadEventAsync(line.PathOption("--event"), stderr, cancellationToken) is not { } payload)
            return 2;

        var cloud = await RunningCloud.FindAsync(options.StateDirectory, cancellationToken);
        stderr.WriteLine(cloud is null
            ? "No local cloud answers (.local/outputs.json): the function gets the template's values and your AWS settings."
            : $"Using the running local cloud: {string.Join(", ", cloud.Endpoints.Select(e => $"{e.Key} {e.Value}"))}");

        var builds = FunctionBuilds.For(template, options.RepoRoot, line.Flag("--packaged"), logicalId);
        var package = (await builds.BuildChangedAsync(stderr.WriteLine, cancellationToken)).Single().Directory;
        var function = FunctionDefinitions.Define(template, OfflineValues.Resolver(template, cloud?.PhysicalIds(template)), logicalId,
            package,
            cloud?.Endpoints ?? new Dictionary<string, string>());
        function = function with { Environment = Environment(template, function, cloud is null, line.PathOption("--env-vars"), stderr) };

        var prefix = $"[{logicalId}] ";
        await using var lambda = await LambdaService.StartAsync(0, options.AsyncInvocations, line =>
            stderr.WriteLine(line.StartsWith(prefix, StringComparison.Ordinal) ? line[prefix.Length..] : line));
        lambda.Register(function);
        var result = await lambda.InvokeAsync(function.Name, payload, cancellationToken);
        if (result.Log is { } log) await log.SettledAsync();
        stdout.WriteLine(System.Text.Encoding.UTF8.GetString(result.Payload));
        var requestId = result.Log?.RequestId ?? "-";
        stderr.WriteLine(InvocationReport.End(requestId));
        stderr.WriteLine(InvocationReport.Report(requestId, result, function.MemorySize, json: false));
        return result.FunctionError is null ? 0 : 1;
    }

    /// <summary>The template with the command's parameter overrides, when it has the function; else null, told on stderr.</summary>
    private static SamTemplate? LoadTemplate(LocalCloudOptions options, CommandLine line, string logicalId, TextWriter stderr)
    {
        var template = SamTemplate.Load(options.TemplatePath);
        if (line.Option("--parameter-overrides") is { } overrides)
        {
            try
            {
                template = template.WithParameterValues(ParameterOverrides.Parse(overrides));
            }
            catch (InvalidDataException refused)
            {
                stderr.WriteLine(refused.Message);
                return null;
            }
        }
        var functions = template.ResourcesOfType("AWS::Serverless::Function").Select(function => function.LogicalId).ToList();
        if (functions.Contains(logicalId)) return template;
        stderr.WriteLine($"{logicalId} is not a function of template.yaml. Functions: {string.Join(", ", functions)}.");
        return null;
    }

    /// <summary>The event to invoke with, when it is JSON; else null, told on stderr.</summary>
    private static async Task<byte[]?> ReadEventAsync(string? path, TextWriter stderr, CancellationToken cancellationToken)
    {
        var payload = await ReadEventFileAsync(path, cancellationToken);
        try
        {
            using var _ = JsonDocument.Parse(payload);
            return payload;
        }
        catch (JsonException invalid)
        {
            stderr.WriteLine($"The event is not JSON: {invalid.Message}");
            return null;
        }
    }

    private static async Task<byte[]> ReadEventFileAsync(string? path, CancellationToken cancellationToken) => path switch
    {
        null => "{}"u8.ToArray(),
        "-" => System.Text.Encoding.UTF8.GetBytes(await Console.In.ReadToEndAsync(cancellationToken)),
        _ => await File.ReadAllBytesAsync(path, cancellationToken),
    };

    private static Dictionary<string, string> Environment(SamTemplate template, FunctionDefinition function, bool callerSettings,
        string? envVarsPath,
        TextWriter stderr)
    {
        var environment = new Dictionary<string, string>(function.Environment);
        if (callerSettings)
            foreach (var name in CallerVariables)
                if (System.Environment.GetEnvironmentVariable(name) is { Length: > 0 } value) environment[name] = value;
        if (envVarsPath is null) return environment;
        var declared = template.FunctionProperties(function.Name)["Environment"]?["Variables"]?.AsObject() ?? new JsonObject();
        foreach (var (name, value) in EnvVarsFile.For(envVarsPath, function.Name))
        {
            if (declared.ContainsKey(name))
                environment[name] = value;
            else
                stderr.WriteLine($"--env-vars: {name} is not declared in {function.Name}'s Environment.Variables (or Globals);"
                    + " not set, as in SAM.");
        }
        return environment;
    }
}
