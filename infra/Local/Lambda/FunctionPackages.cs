using System.Diagnostics;
using Serverless.Local.Template;

namespace Serverless.Local.Lambda;

/// <summary>
/// Builds each function package the way <c>sam build</c> does: <c>make build-{LogicalId}</c> in the
/// function's <c>Metadata.ContextPath</c> with <c>ARTIFACTS_DIR</c> set, into
/// <c>.local/build/{CodeUri}</c>. A package newer than every source file under <c>functions/</c> is
/// reused (<c>.built</c> marks a finished build), so later runs start at once.
/// </summary>
public static class FunctionPackages
{
    /// <summary>Builds the package of function <paramref name="logicalId"/> into <c>.local/build/{CodeUri}</c>; returns
    /// that folder.</summary>
    public static Task<string> BuildFunctionAsync(SamTemplate template, string repoRoot, string logicalId, Action<string> log,
        CancellationToken cancellationToken)
    {
        var codeUri = template.FunctionProperties(logicalId)["CodeUri"]!.GetValue<string>();
        var contextPath = template.Resources[logicalId]!["Metadata"]?["ContextPath"]?.GetValue<string>() ?? codeUri;
        var artifacts = Path.Combine(repoRoot, ".local", "build", codeUri.Replace('/', '_'));
        return BuildAsync(repoRoot, contextPath, logicalId, artifacts, log, cancellationToken);
    }

    public static async Task<string> BuildAsync(string repoRoot, string contextPath, string logicalId, string artifactsDirectory,
        Action<string> log, CancellationToken cancellationToken)
    {
        var built = Path.Combine(artifactsDirectory, ".built");
        if (File.Exists(built) && File.GetLastWriteTimeUtc(built) > NewestSource(repoRoot))
        {
            log($"[build] {contextPath}: up to date");
            return artifactsDirectory;
        }
        log($"[build] {contextPath}: make build-{logicalId} (Native AOT bootstrap; the first build takes minutes)");
        var watch = Stopwatch.StartNew();
        var start = new ProcessStartInfo("make", ["-C", Path.Combine(repoRoot, contextPath), $"build-{logicalId}",
            $"ARTIFACTS_DIR={artifactsDirectory}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var make = Process.Start(start)!;
        var output = new List<string>();
        make.OutputDataReceived += (_, line) => { if (line.Data is { } text) lock (output) output.Add(text); };
        make.ErrorDataReceived += (_, line) => { if (line.Data is { } text) lock (output) output.Add(text); };
        make.BeginOutputReadLine();
        make.BeginErrorReadLine();
        await make.WaitForExitAsync(cancellationToken);
        if (make.ExitCode != 0)
            throw new InvalidOperationException(
                $"Building {contextPath} failed:{Environment.NewLine}{string.Join(Environment.NewLine, output.TakeLast(40))}");
        await File.WriteAllTextAsync(built, $"make build-{logicalId}", cancellationToken);
        log($"[build] {contextPath}: built in {watch.Elapsed.TotalSeconds:0.0} s");
        return artifactsDirectory;
    }

    private static DateTime NewestSource(string repoRoot) =>
        Directory.EnumerateFiles(Path.Combine(repoRoot, "functions"), "*", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(repoRoot, "Directory.*.props"))
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")
                && !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Select(File.GetLastWriteTimeUtc)
            .DefaultIfEmpty(DateTime.MinValue)
            .Max();
}
