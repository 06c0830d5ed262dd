namespace Serverless.Local.Tests.Emulators;

/// <summary>Where the emulator tests keep installs and scratch data.</summary>
internal static class EmulatorTestPaths
{
    /// <summary>The repository root: the nearest folder above the test binaries holding Directory.Packages.props.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The emulator cache shared with the local cloud (&lt;repo&gt;/.local/emulators), so installs happen once;
    /// SERVERLESS_EMULATORS_DIR overrides it.</summary>
    public static string Cache { get; } =
        Environment.GetEnvironmentVariable("SERVERLESS_EMULATORS_DIR") is { Length: > 0 } custom
            ? Path.GetFullPath(custom)
            : Path.Combine(RepoRoot, ".local", "emulators");

    /// <summary>A new empty folder under the system temp folder.</summary>
    public static string NewScratchDirectory(string purpose)
    {
        var path = Path.Combine(Path.GetTempPath(), $"serverless-{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    private static string FindRepoRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Directory.Packages.props")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"No Directory.Packages.props above {AppContext.BaseDirectory}.");
    }
}
