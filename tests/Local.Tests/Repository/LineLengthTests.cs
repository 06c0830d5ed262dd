using System.Diagnostics;

namespace Serverless.Local.Tests.Repository;

/// <summary>
/// Every C# line fits the <c>max_line_length</c> .editorconfig sets for <c>*.cs</c>, which no analyzer checks.
/// One case per area (<c>functions/Kernel</c>, <c>tests/Uploads.Tests</c>, <c>bench</c>, …) so a failure names the
/// area and a run can pick one with <c>--filter "DisplayName~functions/Kernel"</c>.
/// </summary>
public sealed class LineLengthTests
{
    private static readonly string RepoRoot = LocalCloudOptions.FindRepoRoot(AppContext.BaseDirectory);

    public static TheoryData<string> Areas() => new(SourceFiles().Select(Area).Distinct().Order());

    [Theory]
    [MemberData(nameof(Areas))]
    public void Every_line_fits_the_editorconfig_limit(string area)
    {
        var limit = MaxLineLength();
        var tooLong = SourceFiles()
            .Where(file => Area(file) == area)
            .SelectMany(file => File.ReadLines(Path.Combine(RepoRoot, file))
                .Select((line, index) => (file, number: index + 1, line.Length)))
            .Where(line => line.Length > limit)
            .Select(line => $"{line.file}:{line.number} is {line.Length} characters")
            .ToList();
        Assert.True(tooLong.Count == 0,
            $"Lines over max_line_length = {limit}:{Environment.NewLine}{string.Join(Environment.NewLine, tooLong)}");
    }

    /// <summary><c>max_line_length</c> of the <c>[*.cs]</c> section.</summary>
    private static int MaxLineLength()
    {
        var section = "";
        foreach (var raw in File.ReadLines(Path.Combine(RepoRoot, ".editorconfig")))
        {
            var line = raw.Trim();
            if (line.StartsWith('[')) section = line;
            else if (section == "[*.cs]" && line.Split('=', 2) is [var key, var value]
                && key.Trim() == "max_line_length") return int.Parse(value.Trim());
        }
        throw new InvalidOperationException(".editorconfig sets no max_line_length for [*.cs]");
    }

    /// <summary>The *.cs files git tracks or would add (ignored build output left out), relative to the root.</summary>
    private static IReadOnlyList<string> SourceFiles()
    {
        string[] arguments = ["ls-files", "--cached", "--others", "--exclude-standard", "--", "*.cs"];
        var git = Process.Start(new ProcessStartInfo("git", arguments)
        {
            WorkingDirectory = RepoRoot,
            RedirectStandardOutput = true,
        })!;
        var files = git.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        git.WaitForExit();
        if (git.ExitCode != 0) throw new InvalidOperationException($"git ls-files failed ({git.ExitCode}) in {RepoRoot}");
        return files.Where(file => File.Exists(Path.Combine(RepoRoot, file))).ToList();
    }

    /// <summary>functions/Kernel/Aws/SigV4.cs is in functions/Kernel; bench/Program.cs in bench.</summary>
    private static string Area(string file)
    {
        var parts = file.Split('/');
        return parts.Length > 2 ? $"{parts[0]}/{parts[1]}" : parts[0];
    }
}
