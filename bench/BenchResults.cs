using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Local;
using Serverless.Local.Processes;

namespace Serverless.Bench;

/// <summary>
/// One bench run's figures: each printed as "{figure}: {value} {unit}" when measured, and all written together when the run
/// ends to <c>.local/bench/{name}.json</c>, keyed by the printed figure, with the machine and commit they ran on, so runs
/// can be compared over time (the previous run's file is overwritten; keep a copy to compare).
/// </summary>
internal sealed class BenchResults(string name)
{
    private readonly JsonObject figures = [];

    /// <summary>Prints and records one figure; <paramref name="figure"/> is its JSON key too.</summary>
    public void Add(string figure, double value, string unit)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{figure}: {value:0.##} {unit}"));
        figures[figure] = new JsonObject { ["value"] = Math.Round(value, 2), ["unit"] = unit };
    }

    /// <summary>Writes the figures recorded so far; returns the file's path.</summary>
    public async Task<string> SaveAsync()
    {
        var repoRoot = LocalCloudOptions.FindRepoRoot(AppContext.BaseDirectory);
        var directory = Path.Combine(repoRoot, ".local", "bench");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"{name}.json");
        var document = new JsonObject
        {
            ["bench"] = name,
            ["ranAt"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["commit"] = await CommitAsync(repoRoot),
            ["machine"] = new JsonObject
            {
                ["cores"] = Environment.ProcessorCount,
                ["memoryGiB"] = Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024), 1),
                ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
                ["runtime"] = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
            },
            ["figures"] = figures.DeepClone(),
        };
        await File.WriteAllTextAsync(path, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"figures written to {Path.GetRelativePath(repoRoot, path)}");
        return path;
    }

    /// <summary>The checked-out commit, or null outside a git clone.</summary>
    private static async Task<string?> CommitAsync(string repoRoot)
    {
        var (exitCode, recent) = await ChildProcess.RunAsync("git", "git", ["rev-parse", "--short", "HEAD"],
            workingDirectory: repoRoot);
        return exitCode == 0 ? recent.LastOrDefault()?.Trim() : null;
    }
}
