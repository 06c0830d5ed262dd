using Serverless.Local.Tests.Installers;

namespace Serverless.Local.Tests.Template;

/// <summary>
/// Installs AWS's CloudFormation resource specification from the npm package <c>@aws-cdk/cfnspec</c> (pinned, checked
/// against npm's integrity string) into <c>&lt;cache&gt;/cfnspec-&lt;version&gt;/</c>. Only <c>spec/specification.json</c>
/// (the combined CloudFormation + SAM <c>AWS::Serverless::*</c> specification) and the package's version/licence files
/// are extracted (<see cref="PinnedNpmFiles"/>); the package is never installed.
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

    private static readonly PinnedNpmFiles Files = new(Package, Version, Integrity, $"cfnspec-{Version}",
        $"CloudFormation resource specification {SpecificationVersion}",
        new Dictionary<string, string>
        {
            ["package/spec/specification.json"] = SpecificationFile,
            ["package/cfn.version"] = "cfn.version",
            ["package/LICENSE"] = "LICENSE",
            ["package/NOTICE"] = "NOTICE",
        });

    public static string MarkerText => Files.MarkerText;

    public static string InstallDirectory(string cacheDirectory) => Files.InstallDirectory(cacheDirectory);

    /// <summary>Installs the spec if needed; returns the path of specification.json.</summary>
    public static async Task<string> InstallAsync(string cacheDirectory, Action<string>? log = null,
        CancellationToken cancellationToken = default) =>
        Path.Combine(await Files.InstallAsync(cacheDirectory, log ?? (_ => { }), cancellationToken), SpecificationFile);

    public static bool IsInstalled(string destination) => Files.IsInstalled(destination);
}
