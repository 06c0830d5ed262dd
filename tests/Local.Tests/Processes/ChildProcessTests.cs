using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Serverless.Local.Processes;
using Xunit.Abstractions;

namespace Serverless.Local.Tests.Processes;

public sealed class ChildProcessTests(ITestOutputHelper log)
{
    private const int SigInt = 2;

    [Theory]
    [InlineData("sigkill")] // hard crash: no .NET code runs, only the kernel's parent-death signal can act
    [InlineData("sigint")]  // Ctrl+C
    [InlineData("exit")]    // normal exit without disposing
    [InlineData("throw")]   // unhandled exception
    public async Task A_child_does_not_outlive_the_process_that_started_it(string ending)
    {
        Assert.True(ChildProcess.UsesParentDeathSignal, "this machine should have /usr/bin/setpriv");
        var testAssembly = typeof(ChildProcessTests).Assembly.Location;
        var start = new ProcessStartInfo(DotnetHost(), [testAssembly])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_STARTUP_HOOKS"] = testAssembly;
        start.Environment[OrphanProbe.ModeVariable] = ending switch
        {
            "exit" => "exit",
            "throw" => "throw",
            _ => "wait",
        };

        using var probe = Process.Start(start)!;
        var stderr = probe.StandardError.ReadToEndAsync();
        var report = await ReadLineAsync(probe.StandardOutput, "CHILD ", TimeSpan.FromSeconds(60));
        log.WriteLine($"probe {probe.Id}: {report}");
        var parts = report.Split(' ');
        var sleepPid = int.Parse(parts[1]);
        Assert.Equal("alive", parts[2]);

        switch (ending)
        {
            case "sigkill":
                probe.Kill(); // SIGKILL
                break;
            case "sigint":
                Assert.Equal(0, Kill(probe.Id, SigInt));
                break;
        }
        using (var exitWait = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await probe.WaitForExitAsync(exitWait.Token);
        }
        log.WriteLine($"probe exit code {probe.ExitCode}; stderr: {Truncate(await stderr)}");

        var gone = await WaitUntilGoneAsync(sleepPid, TimeSpan.FromSeconds(10));
        if (!gone)
        {
            Kill(sleepPid, 9); // do not leave it behind ourselves
        }
        Assert.True(gone, $"sleep ({sleepPid}) outlived its parent after {ending}");
    }

    [Fact]
    public async Task Stopping_a_child_also_stops_what_it_started()
    {
        Assert.True(ChildProcess.UsesProcessGroup, "this machine should have /usr/bin/setsid");
        await using var child = ChildProcess.Start("sh", "sh", ["-c", "sleep 1000 & echo \"GRANDCHILD $!\"; wait"]);
        var grandchild = int.Parse((await child.WaitForOutputAsync(l => l.StartsWith("GRANDCHILD "),
            TimeSpan.FromSeconds(30))).Split(' ')[1]);
        Assert.True(IsRunning(grandchild));

        await child.StopAsync(TimeSpan.FromSeconds(2));

        Assert.True(await WaitUntilGoneAsync(grandchild, TimeSpan.FromSeconds(5)), $"grandchild {grandchild} survived");
    }

    [Fact]
    public async Task What_a_child_leaves_behind_when_it_exits_is_stopped_too()
    {
        await using var child = ChildProcess.Start("sh", "sh", ["-c", "sleep 1000 & echo \"GRANDCHILD $!\""]);
        var grandchild = int.Parse((await child.WaitForOutputAsync(l => l.StartsWith("GRANDCHILD "),
            TimeSpan.FromSeconds(30))).Split(' ')[1]);
        Assert.Equal(0, await child.Exited);
        Assert.True(await WaitUntilGoneAsync(grandchild, TimeSpan.FromSeconds(5)), $"grandchild {grandchild} survived");
    }

    [Fact]
    public async Task Output_lines_are_prefixed_stripped_of_colours_and_kept()
    {
        var lines = new ConcurrentQueue<string>();
        await using var child = ChildProcess.Start(
            "sh",
            "sh",
            ["-c", "echo hello; echo oops >&2; printf '\\033[31mred\\033[0m\\n'; echo \"$GREETING\"; exit 3"],
            lines.Enqueue,
            environment: new Dictionary<string, string?> { ["GREETING"] = "hi from env" });

        Assert.Equal(3, await child.Exited);
        Assert.Contains("[sh] hello", lines);
        Assert.Contains("[sh] oops", lines);
        Assert.Contains("[sh] red", lines);
        Assert.Contains("[sh] hi from env", lines);
        Assert.Contains("red", child.RecentOutput);
    }

    [Fact]
    public async Task Only_the_last_lines_are_kept()
    {
        await using var child = ChildProcess.Start("seq", "seq", ["1", "500"], keepLines: 50);
        Assert.Equal(0, await child.Exited);
        Assert.Equal(50, child.RecentOutput.Count);
        Assert.Equal("451", child.RecentOutput[0]);
        Assert.Equal("500", child.RecentOutput[^1]);
    }

    [Fact]
    public async Task Waiting_for_output_fails_with_the_last_lines_when_the_child_exits_first()
    {
        await using var child = ChildProcess.Start("sh", "sh", ["-c", "echo starting; echo 'port already in use' >&2; exit 2"]);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => child.WaitForOutputAsync(line => line.StartsWith("READY"), TimeSpan.FromSeconds(30)));
        Assert.Contains("exited with code 2", error.Message);
        Assert.Contains("port already in use", error.Message);
    }

    [Fact]
    public async Task Waiting_for_output_finds_a_line()
    {
        await using var child = ChildProcess.Start("sh", "sh", ["-c", "sleep 0.2; echo READY on 1234; sleep 30"]);
        var line = await child.WaitForOutputAsync(l => l.StartsWith("READY"), TimeSpan.FromSeconds(30));
        Assert.Equal("READY on 1234", line);
        Assert.NotNull(child.ResidentMemoryBytes);
        await child.StopAsync(TimeSpan.FromSeconds(2));
        Assert.True(child.HasExited);
    }

    [Fact]
    public void A_missing_program_is_reported_by_name()
    {
        var error = Assert.Throws<FileNotFoundException>(() => ChildProcess.Start("x", "no-such-program-here", []));
        Assert.Contains("no-such-program-here", error.Message);
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host
            ? host
            : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";

    private static async Task<string> ReadLineAsync(StreamReader reader, string prefix, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (await reader.ReadLineAsync(cancel.Token) is { } line)
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }
        }
        throw new InvalidOperationException($"The probe ended without printing '{prefix}'.");
    }

    private static async Task<bool> WaitUntilGoneAsync(int pid, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (!IsRunning(pid))
            {
                return true;
            }
            await Task.Delay(50);
        }
        return !IsRunning(pid);
    }

    /// <summary>True while /proc shows the process and it is not a zombie (a killed child may wait to be reaped).</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state != "Z" && state != "X";
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string Truncate(string text) => text.Length <= 300 ? text.Trim() : text[..300] + " ...";

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
