using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Serverless.Local.Emulators;

/// <summary>Checks and unpacks npm package tarballs (<c>.tgz</c>).</summary>
internal static class NpmTarball
{
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

    /// <summary>Extracts the files under <paramref name="folder"/> of a .tgz into <paramref name="target"/>; returns the file count.</summary>
    public static int ExtractFolder(string tarball, string folder, string target)
    {
        var root = Path.GetFullPath(target) + Path.DirectorySeparatorChar;
        var count = 0;
        using var file = File.OpenRead(tarball);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        while (reader.GetNextEntry() is { } entry)
        {
            if (!entry.Name.StartsWith(folder, StringComparison.Ordinal) || entry.Name.Length == folder.Length)
            {
                continue;
            }
            var destination = Path.GetFullPath(Path.Combine(target, entry.Name[folder.Length..]));
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
