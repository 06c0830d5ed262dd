using Serverless.Local.Lambda;
using Serverless.Local.Template;
using Serverless.Local.Tests.Commands;
using Serverless.Local.Tests.Emulators;
using Serverless.Local.Tests.Template;
using Serverless.TestUtilities;

namespace Serverless.Local.Tests.Lambda;

/// <summary>
/// A group is rebuilt when what its build reads changed (<see cref="BuildInputs"/>), not when a file is merely newer: the
/// local cloud's warm start runs neither dotnet nor make.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FunctionBuildsTests
{
    [Fact]
    public async Task Touching_files_or_building_Kernel_with_other_properties_keeps_a_group_up_to_date_an_edit_does_not()
    {
        var copy = EmulatorTestPaths.NewScratchDirectory("build-inputs");
        try
        {
            RepositoryCopy.Create(EmulatorTestPaths.RepoRoot, copy);
            string Hash(string group) => BuildInputs.Hash(copy, $"functions/{group}", "fast");
            var (profile, usage) = (Hash("Profile"), Hash("Usage"));
            Assert.NotEqual(profile, BuildInputs.Hash(copy, "functions/Profile", "packaged"));

            foreach (var file in Directory.EnumerateFiles(copy, "*", SearchOption.AllDirectories))
                File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddHours(1));
            var (exitCode, output) = await AddResourceGroupTests.RunAsync("dotnet", ["build", Path.Combine(copy, "functions", "Kernel"),
                "-c", "Release", "-p:Optimize=false", "-p:DebugType=none", "-v", "q", "-nologo"]);
            Assert.True(exitCode == 0, output);
            Assert.True(Directory.Exists(Path.Combine(copy, "functions", "Kernel", "bin", "Release")), "Kernel was built in the copy");
            Assert.Equal(profile, Hash("Profile"));

            var patchMe = Path.Combine(copy, "functions", "Profile", "RESTful", "PatchMe.cs");
            await File.AppendAllTextAsync(patchMe, "// edited\n");
            Assert.NotEqual(profile, Hash("Profile"));
            Assert.Equal(usage, Hash("Usage")); // Usage does not reference Profile

            var kernelFile = Directory.EnumerateFiles(Path.Combine(copy, "functions", "Kernel", "Runtime"), "*.cs").First();
            await File.AppendAllTextAsync(kernelFile, "// edited\n");
            Assert.NotEqual(usage, Hash("Usage")); // every group references Kernel
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    [Fact]
    public async Task An_unchanged_group_is_not_built_again_at_the_next_start_a_changed_one_is()
    {
        var root = EmulatorTestPaths.NewScratchDirectory("build-reuse");
        try
        {
            InvokeCommandTests.WriteEchoRepository(root);
            // The Makefile also counts its runs, one line each.
            var runs = Path.Combine(root, "make-runs");
            await File.WriteAllTextAsync(Path.Combine(root, "functions", "Echo", "Makefile"),
                $"build-EchoFunction:\n\tmkdir -p $(ARTIFACTS_DIR)\n\techo run >> {runs}\n\tcp bootstrap.sh $(ARTIFACTS_DIR)/bootstrap\n");
            var template = SamTemplate.Load(Path.Combine(root, "template.yaml"));
            async Task<string> StartAsync() => // a new local cloud's builds each time, as a restart makes them
                Assert.Single(await FunctionBuilds.For(template, root, packaged: true).BuildChangedAsync(_ => { }, CancellationToken.None))
                    .Directory;

            var package = await StartAsync();
            Assert.Equal(Path.Combine(root, ".local", "build", "functions_Echo"), package);
            Assert.Single(await File.ReadAllLinesAsync(runs));

            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "functions"), "*", SearchOption.AllDirectories))
                File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddHours(1));
            Assert.Equal(package, await StartAsync());
            Assert.Single(await File.ReadAllLinesAsync(runs));

            await File.AppendAllTextAsync(Path.Combine(root, "functions", "Echo", "bootstrap.sh"), "# edited\n");
            await StartAsync();
            Assert.Equal(2, (await File.ReadAllLinesAsync(runs)).Length);
            Assert.EndsWith("# edited\n", await File.ReadAllTextAsync(Path.Combine(package, "bootstrap")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
