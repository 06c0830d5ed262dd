using Serverless.Local.Installers;

namespace Serverless.Local.Tests.Template;

/// <summary>
/// Installs AWS's CloudFormation resource specification from the npm package <c>@aws-cdk/cfnspec</c> (pinned, checked
/// against npm's integrity string) into <c>&lt;cache&gt;/cfnspec-&lt;version&gt;/</c>. Only <c>spec/specification.json</c>
/// (the combined CloudFormation + SAM <c>AWS::Serverless::*</c> specification) and the package's version/licence files
/// are extracted; the package is never installed.
/// <para>The local cloud's own install machinery does the work, as for the emulators sharing the cache folder:
/// <see cref="NpmTarball"/> downloads (npm pack), checks and unpacks the tarball; <see cref="InstallCache"/> makes the
/// install idempotent and safe when several processes install at once (a lock file serialises installers, the files are
/// staged in a sibling folder and moved into place, and a marker written last tells a finished install).</para>
/// </summary>
internal static class CloudFormationSpecPackage
{
    public const string Package = "@aws-cdk/cfnspec";

    /// <summary>The newest publish of the package (its spec is 130.1.0; 2.72.1, the "latest" tag, carries 117.0.0).</summary>
    public const string Version = "2.105.0-alpha.0";

    /// <summary>npm's integrity string (SHA-512) of the pinned tarball; checked after download.</summary>
    public const string Integrity =
        "sha512-q8ac9sVbt/jlmtMU4MOq4aPwptQ3zUU9v2ZsJzvCNqpC9LpknWXZvFKcejk/mm0dh/nAdUJ0MdSDUnTKRM2IbA==";

    /// <summary>The ResourceSpecificationVersion inside the pinned package.</summary>
    public const string SpecificationVersion = "130.1.0";

    public const string SpecificationFile = "specification.json";

    /// <summary>Tarball entry → file name in the install folder.</summary>
    private static readonly Dictionary<string, string> Extracted = new()
    {
        ["package/spec/specification.json"] = SpecificationFile,
        ["package/cfn.version"] = "cfn.version",
        ["package/LICENSE"] = "LICENSE",
        ["package/NOTICE"] = "NOTICE",
    };

    public static string MarkerText => $"{Package}@{Version} {Integrity}";

    public static string InstallDirectory(string cacheDirectory) => Path.Combine(Path.GetFullPath(cacheDirectory), $"cfnspec-{Version}");

    /// <summary>Installs the spec if needed; returns the path of specification.json.</summary>
    public static async Task<string> InstallAsync(string cacheDirectory, Action<string>? log = null,
        CancellationToken cancellationToken = default)
    {
        cacheDirectory = Path.GetFullPath(cacheDirectory);
        var destination = InstallDirectory(cacheDirectory);
        var package = $"{Package}@{Version}";
        var progress = log ?? (_ => { });
        await new InstallCache(cacheDirectory, progress).InstallOnceAsync(
            destination,
            MarkerText,
            $"{package} (CloudFormation resource specification {SpecificationVersion})",
            async (staging, installLog) =>
            {
                var tarball = await NpmTarball.PackAsync(package, Integrity, Path.Combine(staging, "download"), installLog,
                    cancellationToken);
                var content = Path.Combine(staging, "content");
                Directory.CreateDirectory(content);
                NpmTarball.ExtractFiles(tarball, Extracted, content);
                if (!File.Exists(Path.Combine(content, SpecificationFile)))
                {
                    throw new InvalidOperationException($"{package} has no spec/{SpecificationFile}.");
                }
                return content;
            },
            cancellationToken);
        return Path.Combine(destination, SpecificationFile);
    }

    public static bool IsInstalled(string destination) =>
        InstallCache.IsInstalled(destination, MarkerText) && File.Exists(Path.Combine(destination, SpecificationFile));
}
