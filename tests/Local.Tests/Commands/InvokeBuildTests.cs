using Serverless.Local.Commands;

namespace Serverless.Local.Tests.Commands;

/// <summary>
/// <c>invoke</c> runs the function from a fast <c>dotnet build</c> of its group by default, and from the package <c>sam build</c>
/// makes with <c>--packaged</c>: the Echo group of <see cref="InvokeCommandTests"/>, with a project whose build output is its
/// <c>bootstrap</c>; the bootstrap says which file runs.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class InvokeBuildTests : IDisposable
{
    private const string EchoProject = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
          </PropertyGroup>
          <ItemGroup>
            <None Update="bootstrap.sh" Link="bootstrap" CopyToOutputDirectory="PreserveNewest" />
          </ItemGroup>
        </Project>
        """;

    private readonly string root = Path.Combine(Path.GetTempPath(), "invoke-build-" + Guid.NewGuid().ToString("N")[..8]);

    public InvokeBuildTests()
    {
        InvokeCommandTests.WriteEchoRepository(root);
        File.WriteAllText(Path.Combine(root, "functions", "Echo", "Echo.csproj"), EchoProject);
        File.SetUnixFileMode(Path.Combine(root, "functions", "Echo", "bootstrap.sh"),
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public async Task Invoke_runs_a_fast_build_by_default_and_the_package_with_packaged()
    {
        var fast = await RunningBootstrapAsync();
        Assert.Matches($"^{root}/.local/build/fast/Echo/[0-9a-f]{{64}}/bootstrap$", fast);

        var packaged = await RunningBootstrapAsync("--packaged");
        Assert.Equal($"{root}/.local/build/functions_Echo/bootstrap", packaged);
    }

    /// <summary>Invokes EchoFunction; the path of the bootstrap that answered.</summary>
    private async Task<string> RunningBootstrapAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await InvokeCommand.RunAsync(new LocalCloudOptions(root), ["EchoFunction", .. args], TextWriter.Synchronized(stdout),
            TextWriter.Synchronized(stderr), CancellationToken.None);
        Assert.True(exitCode == 0, stderr.ToString());
        return Assert.Single(stderr.ToString().Split(Environment.NewLine), line => line.StartsWith("running ", StringComparison.Ordinal))
            ["running ".Length..];
    }
}
