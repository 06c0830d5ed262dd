using System.Collections.Concurrent;
using System.Diagnostics;
using Serverless.Local.Emulators;
using Serverless.Local.Installers;
using Serverless.Local.Tests.Emulators;
using Xunit.Abstractions;

namespace Serverless.Local.Tests.Installers;

public sealed class EmulatorInstallerTests(ITestOutputHelper log)
{
    [Fact]
    public async Task Installs_once_then_only_checks_markers()
    {
        var first = new EmulatorInstaller(EmulatorTestPaths.Cache, line => log.WriteLine(line));
        var clock = Stopwatch.StartNew();
        await first.InstallAllAsync();
        log.WriteLine($"first InstallAllAsync: {clock.Elapsed.TotalSeconds:0.0} s (includes downloads only on a clean cache)");

        Assert.True(File.Exists(first.DynamoDbLocalJar));
        Assert.True(File.Exists(Path.Combine(first.DynamoDbLocalLibraryDirectory, "libsqlite4java-linux-amd64.so")));
        Assert.True(File.Exists(Path.Combine(first.LauncherClassDirectory, EmulatorInstaller.LauncherClass + ".class")));
        Assert.True(File.Exists(first.CognitoLocalStartScript));
        // Other test classes install into the same cache at the same time: look only at this installer's packages.
        Assert.DoesNotContain(Directory.GetDirectories(first.CacheDirectory, ".staging-*"),
            staging => Path.GetFileName(staging).StartsWith(".staging-dynamodb-local", StringComparison.Ordinal)
                || Path.GetFileName(staging).StartsWith(".staging-cognito-local", StringComparison.Ordinal));

        var lines = new ConcurrentQueue<string>();
        var again = new EmulatorInstaller(EmulatorTestPaths.Cache, lines.Enqueue);
        clock.Restart();
        await again.InstallAllAsync();
        log.WriteLine($"second InstallAllAsync: {clock.Elapsed.TotalMilliseconds:0} ms");
        Assert.Empty(lines);
    }
}
