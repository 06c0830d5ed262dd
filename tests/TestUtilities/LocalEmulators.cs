using Serverless.Local;
using Serverless.Local.Emulators;

namespace Serverless.TestUtilities;

/// <summary>The local cloud's emulators, installed once into the repository's cache and shared by every test project.</summary>
public static class LocalEmulators
{
    public static string RepoRoot => LocalCloudOptions.FindRepoRoot(AppContext.BaseDirectory);

    public static EmulatorInstaller Installer(Action<string>? output = null) =>
        new(Path.Combine(RepoRoot, ".local", "emulators"), output);
}
