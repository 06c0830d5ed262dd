using System.Buffers.Binary;
using System.Text.Json;
using Serverless.Local.Lambda;
using Serverless.Local.Processes;
using Serverless.Local.Template;
using Serverless.Local.Tests.Emulators;
using Serverless.TestUtilities;
using Xunit.Abstractions;

namespace Serverless.Local.Tests.Packaging;

/// <summary>
/// An arm64 (Graviton) package, built on this x86_64 machine as a deployer builds it (<c>ARCHITECTURE=arm64</c>, the
/// Makefile target <c>sam build</c> runs; Function.mk installs the cross toolchain where missing), is an aarch64
/// <c>bootstrap</c> that answers a real API Gateway event under qemu-user, run by the local Lambda service. One group
/// (Profile) stands for all: they share the rule, and each Native AOT compile takes minutes on a busy machine.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class Arm64PackageTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>ELF's <c>e_machine</c> for AArch64.</summary>
    private const ushort AArch64 = 183;

    private readonly string root = EmulatorTestPaths.NewScratchDirectory("arm64");

    [Fact]
    public async Task The_Profile_package_built_for_arm64_is_an_aarch64_bootstrap_answering_under_emulation()
    {
        var package = await BuildArm64Async("functions/Profile", "ProfileApiFunction");

        Assert.Equal(AArch64, ElfMachine(Path.Combine(package, "bootstrap")));

        await RunAsync(Path.Combine(EmulatorTestPaths.RepoRoot, "functions", "install-arm64-toolchain"), ["--emulation"]);
        var template = SamTemplate.Load(Path.Combine(EmulatorTestPaths.RepoRoot, "template.yaml"));
        var function = FunctionDefinitions.Define(template, OfflineValues.Resolver(template), "ProfileApiFunction", Emulated(package),
            new Dictionary<string, string>());
        await using var lambda = await LambdaService.StartAsync(0,
            new AsyncInvocationSettings(Path.Combine(root, "failures"), TimeSpan.FromSeconds(1)), output.WriteLine);
        lambda.Register(function);
        var healthEvent = Path.Combine(EmulatorTestPaths.RepoRoot, "events", "ProfileApiFunction", "get-health.json");
        var result = await lambda.InvokeAsync(function.Name, await File.ReadAllBytesAsync(healthEvent), CancellationToken.None);
        output.WriteLine(InvocationReport.Report("get-health", result, function.MemorySize, json: false));

        Assert.Null(result.FunctionError);
        using var response = JsonDocument.Parse(result.Payload);
        Assert.Equal(200, response.RootElement.GetProperty("statusCode").GetInt32());
        using var body = JsonDocument.Parse(response.RootElement.GetProperty("body").GetString()!);
        Assert.Equal("ok", body.RootElement.GetProperty("status").GetString());
    }

    /// <summary>
    /// <c>make build-{logicalId}</c> with <c>ARCHITECTURE=arm64</c> into a fresh <c>ARTIFACTS_DIR</c>, on a copy of the
    /// sources: a linux-arm64 restore rewrites the group's <c>obj/project.assets.json</c>, which a build of the same project
    /// running meanwhile (another test's) would read.
    /// </summary>
    private async Task<string> BuildArm64Async(string contextPath, string logicalId)
    {
        var sources = Path.Combine(root, "repo");
        RepositoryCopy.Create(EmulatorTestPaths.RepoRoot, sources);
        var artifacts = Path.Combine(root, "package");
        await RunAsync("make", ["-C", Path.Combine(sources, contextPath), $"build-{logicalId}", $"ARTIFACTS_DIR={artifacts}"],
            new Dictionary<string, string?> { ["ARCHITECTURE"] = "arm64" });
        return artifacts;
    }

    /// <summary>Runs a program to its end (a Native AOT compile and the apt-get installs take minutes on a busy machine), which
    /// must succeed.</summary>
    private static async Task RunAsync(string program, string[] arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        var (exitCode, recentOutput) = await ChildProcess.RunAsync(Path.GetFileName(program), program, arguments,
            environment: environment, cancellationToken: limit.Token);
        Assert.True(exitCode == 0, $"{program} {string.Join(' ', arguments)} failed (exit code {exitCode}):{Environment.NewLine}"
            + string.Join(Environment.NewLine, recentOutput));
    }

    /// <summary>A package folder whose <c>bootstrap</c> runs the arm64 one under qemu-user (its loader, C library and
    /// OpenSSL are Debian's arm64 ones, as the toolchain script's <c>--emulation</c> installs them).</summary>
    private string Emulated(string package)
    {
        var directory = Directory.CreateDirectory(Path.Combine(root, "emulated")).FullName;
        var bootstrap = Path.Combine(directory, "bootstrap");
        File.WriteAllText(bootstrap, $"#!/bin/sh\nexec qemu-aarch64 '{package}/bootstrap'\n");
        File.SetUnixFileMode(bootstrap, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return directory;
    }

    /// <summary>The machine an ELF executable is for (<c>e_machine</c>, bytes 18–19, little-endian).</summary>
    private static ushort ElfMachine(string path)
    {
        var header = new byte[20];
        using (var file = File.OpenRead(path)) file.ReadExactly(header);
        Assert.True(header.AsSpan(0, 4).SequenceEqual("\u007fELF"u8), $"{path} is not an ELF executable");
        return BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(18));
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
