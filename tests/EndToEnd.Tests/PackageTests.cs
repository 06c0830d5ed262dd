using Serverless.Local;
using Serverless.Local.Template;
using Xunit.Abstractions;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// The packages the local cloud built with each function's Makefile target (<c>sam build</c>'s path), which every other
/// end-to-end test runs: self-contained, trimmed <c>bootstrap</c>s far under Lambda's 250 MB unzipped limit.
/// </summary>
[Collection(LocalCloudCollection.Name)]
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
    public void Each_package_is_a_self_contained_bootstrap_under_Lambdas_limit(string codeUri)
    {
        var package = Package(codeUri);
        var size = new DirectoryInfo(package).EnumerateFiles("*", SearchOption.AllDirectories).Sum(file => file.Length);
        output.WriteLine($"{codeUri}: {size / 1024.0 / 1024.0:0.0} MB unzipped");

        Assert.True(File.Exists(Path.Combine(package, "bootstrap")), $"{package} has no bootstrap");
        Assert.True(File.Exists(Path.Combine(package, "libcoreclr.so")), $"{package} is not self-contained");
        Assert.True(size < LambdaUnzippedLimit, $"{codeUri} is {size} bytes unzipped; Lambda takes at most {LambdaUnzippedLimit}");
    }

    /// <summary>
    /// An untrimmed self-contained ASP.NET Core app ships the whole shared framework, MVC included, which no function uses:
    /// only the trimmer (<c>PublishTrimmed</c>, functions/Directory.Build.props) leaves it out. So every other end-to-end
    /// test ran trimmed code.
    /// </summary>
    [Theory]
    [MemberData(nameof(CodeUris))]
    public void Each_package_is_trimmed(string codeUri)
    {
        var package = Package(codeUri);

        Assert.True(File.Exists(Path.Combine(package, "Microsoft.AspNetCore.Routing.dll")), $"{package} has no ASP.NET Core");
        Assert.False(File.Exists(Path.Combine(package, "Microsoft.AspNetCore.Mvc.Core.dll")), $"{codeUri} is not trimmed: it ships MVC");
    }

    private string Package(string codeUri) => Path.Combine(cloud.Cloud.Options.RepoRoot, ".local", "build", codeUri.Replace('/', '_'));
}
