using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Serverless.Local.Lambda;

/// <summary>
/// What a function group's build reads, as one SHA-256: the relative path and bytes of every file of the group's folder and of
/// each project it references under <c>functions/</c>, transitively (its own <c>ProjectReference</c>s and those of
/// <c>functions/Directory.Build.props</c>), <c>bin/</c> and <c>obj/</c> left out; the files directly in <c>functions/</c>
/// (Directory.Build.props, Function.mk); the repository's <c>Directory.*.props</c>, <c>Directory.*.targets</c> and
/// <c>global.json</c>; and the build mode. Timestamps count for nothing, so touching a file, or building Kernel elsewhere with
/// other properties, leaves a group up to date; an edit of its content does not.
/// </summary>
public static partial class BuildInputs
{
    /// <param name="restoreOnly">Only the files a NuGet restore reads (project, props and targets files, global.json): what
    /// decides whether the last restore still holds.</param>
    public static string Hash(string repoRoot, string contextPath, string mode, bool restoreOnly = false)
    {
        var functions = Path.Combine(repoRoot, "functions");
        var files = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var folder in ProjectFolders(Path.GetFullPath(Path.Combine(repoRoot, contextPath)), functions))
            files.UnionWith(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Where(file => !Path.GetRelativePath(folder, file).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj")));
        files.UnionWith(Directory.EnumerateFiles(functions));
        files.UnionWith(new[] { "Directory.*.props", "Directory.*.targets", "global.json" }
            .SelectMany(pattern => Directory.EnumerateFiles(repoRoot, pattern)));

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(mode + "\n"));
        foreach (var file in files.Where(file => !restoreOnly || IsRestoreInput(file)))
        {
            var bytes = File.ReadAllBytes(file);
            hash.AppendData(Encoding.UTF8.GetBytes($"{Path.GetRelativePath(repoRoot, file).Replace('\\', '/')}\0{bytes.Length}\0"));
            hash.AppendData(bytes);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static bool IsRestoreInput(string file) =>
        Path.GetExtension(file) is ".csproj" or ".props" or ".targets" || Path.GetFileName(file) == "global.json";

    /// <summary>The group's folder and the folders of the projects it references under <paramref name="functions"/>.</summary>
    private static HashSet<string> ProjectFolders(string group, string functions)
    {
        var shared = Path.Combine(functions, "Directory.Build.props");
        var folders = new HashSet<string>(StringComparer.Ordinal) { group };
        var pending = new Queue<string>(folders);
        while (pending.TryDequeue(out var folder))
        {
            // Directory.Build.props' references are relative to the project that imports it, as its own are.
            var projectFiles = Directory.EnumerateFiles(folder, "*.csproj").Append(shared).Where(File.Exists);
            foreach (var reference in projectFiles.SelectMany(file => ProjectReference().Matches(File.ReadAllText(file))))
            {
                var referenced = Path.GetDirectoryName(Path.GetFullPath(Path.Combine(folder, reference.Groups[1].Value)))!;
                if (referenced.StartsWith(functions + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                    && Directory.Exists(referenced) && folders.Add(referenced))
                    pending.Enqueue(referenced);
            }
        }
        return folders;
    }

    [GeneratedRegex("""<ProjectReference\s+Include="([^"]+)"\s*""")]
    private static partial Regex ProjectReference();
}
