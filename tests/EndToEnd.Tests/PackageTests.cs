using System.Diagnostics;
using System.Text.RegularExpressions;
using Serverless.Local;
using Serverless.Local.Template;
using Xunit.Abstractions;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// The packages the local cloud built with each function's Makefile target (<c>sam build</c>'s path), which every other
/// end-to-end test runs: Native AOT <c>bootstrap</c>s (functions/Directory.Build.props), far under Lambda's 250 MB unzipped
/// limit, with nothing beside them that a JIT runtime would load, so every other end-to-end test ran native code.
/// </summary>
[Collection(LocalCloudCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PackageTests(LocalCloudFixture cloud, ITestOutputHelper output)
{
    private const long LambdaUnzippedLimit = 250L * 1024 * 1024;

    public static TheoryData<string> CodeUris()
    {
        var template = SamTemplate.Load(Path.Combine(LocalCloudOptions.FindRepoRoot(AppContext.BaseDirectory), "template.yaml"));
        var uris = new TheoryData<string>();
        foreach (var codeUri in template.ResourcesOfType("AWS::Serverless::Function")
                     .Select(function => template.FunctionProperties(function.LogicalId)["CodeUri"]!.GetValue<string>()).Distinct())
            uris.Add(codeUri);
        return uris;
    }

    [Theory]
    [MemberData(nameof(CodeUris))]
    public void Each_package_is_a_bootstrap_under_Lambdas_limit(string codeUri)
    {
        var package = Package(codeUri);
        var size = new DirectoryInfo(package).EnumerateFiles("*", SearchOption.AllDirectories).Sum(file => file.Length);
        output.WriteLine($"{codeUri}: {size / 1024.0 / 1024.0:0.0} MB unzipped");

        Assert.True(File.Exists(Path.Combine(package, "bootstrap")), $"{package} has no bootstrap");
        Assert.True(size < LambdaUnzippedLimit, $"{codeUri} is {size} bytes unzipped; Lambda takes at most {LambdaUnzippedLimit}");
    }

    /// <summary>
    /// <c>bootstrap</c> is an executable ELF file that needs no .NET runtime: a package published without Native AOT has a
    /// managed <c>bootstrap.dll</c> with its <c>.deps.json</c> and <c>.runtimeconfig.json</c>, and, self-contained, the
    /// runtime that JIT-compiles it (<c>libcoreclr.so</c>, <c>libclrjit.so</c>) and the framework's assemblies.
    /// </summary>
    [Theory]
    [MemberData(nameof(CodeUris))]
    public void Each_package_is_native(string codeUri)
    {
        var package = Package(codeUri);
        var bootstrap = Path.Combine(package, "bootstrap");

        using (var file = File.OpenRead(bootstrap))
        {
            var header = new byte[4];
            file.ReadExactly(header);
            Assert.True(header is [0x7F, (byte)'E', (byte)'L', (byte)'F'], $"{codeUri}'s bootstrap is not an ELF file");
        }
        Assert.True(File.GetUnixFileMode(bootstrap).HasFlag(UnixFileMode.UserExecute), $"{codeUri}'s bootstrap is not executable");
        var files = PackageFiles(codeUri);
        Assert.DoesNotContain("bootstrap.dll", files);
        Assert.DoesNotContain("libcoreclr.so", files);
        Assert.DoesNotContain("libclrjit.so", files);
        Assert.DoesNotContain(files, name => name.EndsWith(".dll", StringComparison.Ordinal)
            || name.EndsWith(".deps.json", StringComparison.Ordinal) || name.EndsWith(".runtimeconfig.json", StringComparison.Ordinal));
    }

    /// <summary>The symbols stay out of the package (functions/Directory.Build.props): Lambda never reads them, and a
    /// native <c>bootstrap.dbg</c> is larger than the executable.</summary>
    [Theory]
    [MemberData(nameof(CodeUris))]
    public void Each_package_is_stripped_of_symbols(string codeUri)
    {
        Assert.DoesNotContain(PackageFiles(codeUri), name =>
            name.EndsWith(".dbg", StringComparison.Ordinal) || name.EndsWith(".pdb", StringComparison.Ordinal));
    }

    /// <summary>
    /// A native <c>bootstrap</c> links against the glibc of the machine that built it, and provided.al2023 has glibc 2.34: one
    /// that asks for a newer symbol version (built on a newer distribution) would not start on Lambda.
    /// </summary>
    [Theory]
    [MemberData(nameof(CodeUris))]
    public void Each_bootstrap_needs_no_newer_glibc_than_Amazon_Linux_2023s(string codeUri)
    {
        using var objdump = Process.Start(new ProcessStartInfo("objdump", ["-T", Path.Combine(Package(codeUri), "bootstrap")])
        {
            RedirectStandardOutput = true,
        })!;
        var symbols = objdump.StandardOutput.ReadToEnd();
        objdump.WaitForExit();

        var needed = Regex.Matches(symbols, @"GLIBC_(\d+\.\d+)").Select(match => Version.Parse(match.Groups[1].Value)).Max();
        Assert.NotNull(needed);
        Assert.True(needed <= new Version(2, 34), $"{codeUri}'s bootstrap needs GLIBC_{needed}; Amazon Linux 2023 has 2.34");
    }

    private List<string> PackageFiles(string codeUri) =>
        Directory.GetFiles(Package(codeUri), "*", SearchOption.AllDirectories).Select(path => Path.GetFileName(path)).ToList();

    private string Package(string codeUri) => Path.Combine(cloud.Cloud.Options.RepoRoot, ".local", "build", codeUri.Replace('/', '_'));
}
