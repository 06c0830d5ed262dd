using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Serverless.Local.Installers;

/// <summary>Downloads, checks and unpacks npm package tarballs (<c>.tgz</c>).</summary>
internal static class NpmTarball
{
    /// <summary>Downloads <paramref name="package"/> (<c>name@version</c>) with <c>npm pack</c> into <paramref name="folder"/>
    /// (created when missing), checks it against <paramref name="integrity"/> and returns the tarball's path.</summary>
    public static async Task<string> PackAsync(
        string package,
        string integrity,
        string folder,
        Action<string> log,
        CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        await InstallCache.RunToolAsync("npm", ["pack", package, "--loglevel=warn"], folder, log, cancellationToken).ConfigureAwait(false);
        var tarball = Directory.GetFiles(folder, "*.tgz").SingleOrDefault()
            ?? throw new InvalidOperationException($"npm pack {package} left no .tgz in {folder}.");
        VerifyIntegrity(tarball, integrity);
        return tarball;
    }

    /// <summary>Fails unless the file's SHA-512 matches npm's integrity string (<c>sha512-&lt;base64&gt;</c>).</summary>
    public static void VerifyIntegrity(string file, string integrity)
    {
        const string prefix = "sha512-";
        using var stream = File.OpenRead(file);
        var actual = prefix + Convert.ToBase64String(SHA512.HashData(stream));
        if (actual != integrity)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} has integrity {actual}, expected {integrity}.");
        }
    }

    /// <summary>Extracts the files under <paramref name="folder"/> of a .tgz into <paramref name="target"/>; returns
    /// the file count.</summary>
    public static int ExtractFolder(string tarball, string folder, string target) =>
        Extract(tarball, target, name => name.StartsWith(folder, StringComparison.Ordinal) && name.Length > folder.Length
            ? name[folder.Length..] : null);

    /// <summary>Extracts the entries of a .tgz named in <paramref name="files"/> (entry name → path under
    /// <paramref name="target"/>) into <paramref name="target"/>; returns the file count.</summary>
    public static int ExtractFiles(string tarball, IReadOnlyDictionary<string, string> files, string target) =>
        Extract(tarball, target, name => files.GetValueOrDefault(name));

    /// <summary>Extracts the entries to which <paramref name="pathInTarget"/> gives a path (relative to
    /// <paramref name="target"/>); skips those it gives null.</summary>
    private static int Extract(string tarball, string target, Func<string, string?> pathInTarget)
    {
        var root = Path.GetFullPath(target) + Path.DirectorySeparatorChar;
        var count = 0;
        using var file = File.OpenRead(tarball);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        while (reader.GetNextEntry() is { } entry)
        {
            if (pathInTarget(entry.Name) is not { } relative)
            {
                continue;
            }
            var destination = Path.GetFullPath(Path.Combine(target, relative));
            if (!destination.StartsWith(root, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Refusing tar entry outside the target folder: {entry.Name}");
            }
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    Directory.CreateDirectory(destination);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                    Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                    entry.ExtractToFile(destination, overwrite: true);
                    count++;
                    break;
            }
        }
        return count;
    }
}
