using Serverless.Local.Tests.Emulators;

namespace Serverless.Local.Tests.Template;

/// <summary>Installing the pinned spec package: once into the emulator cache, and safely when several installs race.</summary>
[Collection(CloudFormationSpecCollection.Name)]
public sealed class SpecPackageInstallTests(CloudFormationSpecFixture fixture)
{
    [Fact]
    public async Task The_pinned_spec_package_is_installed_once_into_the_emulator_cache()
    {
        var directory = CloudFormationSpecPackage.InstallDirectory(EmulatorTestPaths.Cache);
        Assert.Equal(Path.Combine(directory, "specification.json"), fixture.SpecificationPath);
        Assert.Equal(CloudFormationSpecPackage.MarkerText, File.ReadAllText(Path.Combine(directory, ".installed")).Trim());
        Assert.Equal(CloudFormationSpecPackage.SpecificationVersion, fixture.Spec.Version);
        Assert.Equal(CloudFormationSpecPackage.SpecificationVersion, File.ReadAllText(Path.Combine(directory, "cfn.version")).Trim());

        var marker = File.GetLastWriteTimeUtc(Path.Combine(directory, ".installed"));
        var again = await CloudFormationSpecPackage.InstallAsync(EmulatorTestPaths.Cache);
        Assert.Equal(fixture.SpecificationPath, again);
        Assert.Equal(marker, File.GetLastWriteTimeUtc(Path.Combine(directory, ".installed")));
    }

    [Fact]
    public async Task Concurrent_installs_into_an_empty_cache_all_succeed_and_leave_one_complete_install()
    {
        var cache = EmulatorTestPaths.NewScratchDirectory("cfnspec");
        try
        {
            var lines = new List<string>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            var installs = Enumerable.Range(0, 3)
                .Select(_ => Task.Run(() => CloudFormationSpecPackage.InstallAsync(cache, line => { lock (lines) lines.Add(line); },
                    timeout.Token)))
                .ToArray();
            var paths = await Task.WhenAll(installs);

            Assert.Single(paths.Distinct());
            Assert.True(CloudFormationSpecPackage.IsInstalled(CloudFormationSpecPackage.InstallDirectory(cache)));
            Assert.Single(lines, line => line.StartsWith("Installing ", StringComparison.Ordinal));
            Assert.Empty(Directory.GetDirectories(cache, ".staging-*"));
            Assert.Equal(CloudFormationSpecPackage.SpecificationVersion, CloudFormationSpec.Load(paths[0]).Version);
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }
}
