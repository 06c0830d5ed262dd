namespace Serverless.TestUtilities;

/// <summary>For tests that change the functions: a copy of what they compile and are checked against (the template, the
/// build props, the API document, <c>functions/</c>), without build output.</summary>
public static class RepositoryCopy
{
    public static void Create(string repo, string copy)
    {
        foreach (var file in new[] { "template.yaml", "Directory.Build.props", "Directory.Packages.props", "docs/openapi.yaml" })
            CopyFile(repo, copy, file);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(repo, "functions"), "*", SearchOption.AllDirectories)
                     .Select(path => Path.GetRelativePath(repo, path))
                     .Where(path => !path.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj")))
            CopyFile(repo, copy, file);
    }

    private static void CopyFile(string repo, string copy, string file)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(copy, file))!);
        File.Copy(Path.Combine(repo, file), Path.Combine(copy, file));
    }
}
