using Serverless.Local.Emulators;
using Serverless.ModelServer.Vader;

namespace Serverless.ModelServer.Tests;

/// <summary>
/// The real lexicon (vader-sentiment's vader_lexicon.txt), installed once by the local cloud's
/// <see cref="EmulatorInstaller"/> into the emulator cache it shares (&lt;repo&gt;/.local/emulators;
/// SERVERLESS_EMULATORS_DIR overrides it).
/// </summary>
internal static class TestLexicon
{
    /// <summary>The repository root: the nearest folder above the test binaries holding Directory.Packages.props.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string EmulatorsDirectory { get; } =
        Environment.GetEnvironmentVariable("SERVERLESS_EMULATORS_DIR") is { Length: > 0 } custom
            ? Path.GetFullPath(custom)
            : Path.Combine(RepoRoot, ".local", "emulators");

    /// <summary>The local cloud's installer over <see cref="EmulatorsDirectory"/>.</summary>
    public static EmulatorInstaller Installer { get; } = new(EmulatorsDirectory);

    private static readonly Lazy<Task<string>> Install = new(() => Installer.InstallVaderLexiconAsync());
    private static readonly Lazy<Task<SentimentAnalyzer>> Analyzer =
        new(async () => new SentimentAnalyzer(Lexicon.Load(await PathAsync())));

    /// <summary>The lexicon file (installed on first use).</summary>
    public static Task<string> PathAsync() => Install.Value;

    /// <summary>An analyzer over the real lexicon.</summary>
    public static Task<SentimentAnalyzer> AnalyzerAsync() => Analyzer.Value;

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
