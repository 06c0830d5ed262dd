using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Serverless.Local.Processes;

/// <summary>
/// A child process of the local cloud that cannot outlive it.
/// <list type="bullet">
/// <item>On Linux every child is started through <c>setpriv --pdeathsig KILL</c>, so the kernel SIGKILLs it
/// when the local cloud dies for any reason, SIGKILL included. PR_SET_PDEATHSIG fires when the <em>thread</em>
/// that forked the child ends, and .NET forks on the calling thread, so all children are started from one
/// dedicated background thread that lives as long as the process.</item>
/// <item>Each child also leads its own session and process group (<c>setsid</c>): stopping it stops whatever it
/// started, and a Ctrl+C in the terminal reaches only the local cloud, not the children directly.</item>
/// <item>Children still running are also killed (with their descendants) on dispose, on
/// <see cref="AppDomain.ProcessExit"/>, on an unhandled exception and on Ctrl+C
/// (see <see cref="KillOnCancelKeyPress"/>).</item>
/// </list>
/// Standard output and error are read line by line, stripped of ANSI colour codes, prefixed with the
/// child's name and passed to a callback; the last lines are kept for error messages.
/// </summary>
public sealed partial class ChildProcess : IAsyncDisposable, IDisposable
{
    private const int SigTerm = 15;
    private const int SigKill = 9;

    private readonly Process process;
    private readonly ChildProcessOutput outputLines;
    private readonly TaskCompletionSource exitSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task<int> exited;

    /// <summary>When true (the default), Ctrl+C in the local cloud's console kills every running child at once.
    /// Set it to false if the host wants to stop its children itself during a graceful shutdown.</summary>
    public static bool KillOnCancelKeyPress { get; set; } = true;

    /// <summary>True when children are started with a parent-death signal (Linux with util-linux setpriv).</summary>
    public static bool UsesParentDeathSignal => ChildProcessLauncher.UsesParentDeathSignal;

    /// <summary>True when each child leads its own session and process group (Linux with util-linux setsid), so that
    /// stopping it also stops anything it started, and the terminal's Ctrl+C reaches only the local cloud,
    /// which then stops its children itself.</summary>
    public static bool UsesProcessGroup => ChildProcessLauncher.UsesProcessGroup;

    /// <summary>The name given at start; it prefixes every output line.</summary>
    public string Name { get; }

    /// <summary>The operating-system process id of the child (setpriv execs into it, so it is the program's own).</summary>
    public int Id { get; }

    /// <summary>Completes with the exit code once the child has exited and its output has been read.</summary>
    public Task<int> Exited => exited;

    /// <summary>True once the child has exited and its output has been read.</summary>
    public bool HasExited => exited.IsCompleted;

    private ChildProcess(string name, Process process, Action<string>? output, int keepLines)
    {
        Name = name;
        this.process = process;
        outputLines = new ChildProcessOutput(process, name, output, keepLines);
        process.Exited += (_, _) => exitSignal.TrySetResult();

        ChildProcessLauncher.StartOnSpawnThread(process);
        Id = process.Id;
        ChildProcessRegistry.Add(this);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        exited = WatchExitAsync();
    }

    /// <summary>Starts <paramref name="fileName"/> (a path or a name looked up on PATH) as a child process.</summary>
    /// <param name="name">Short name used to prefix output lines, e.g. "dynamodb".</param>
    /// <param name="fileName">Program to run.</param>
    /// <param name="arguments">Arguments, passed as they are (no shell).</param>
    /// <param name="output">Receives each output line as "[name] line"; called from thread-pool threads,
    /// exceptions it throws are ignored.</param>
    /// <param name="workingDirectory">Working directory; the current one when null.</param>
    /// <param name="environment">Variables to set in the child's environment; a null value removes the variable.</param>
    /// <param name="keepLines">How many of the last output lines to keep for <see cref="RecentOutput"/>.</param>
    public static ChildProcess Start(
        string name,
        string fileName,
        IEnumerable<string> arguments,
        Action<string>? output = null,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        int keepLines = 200)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        ChildProcessRegistry.InstallHooks();

        var startInfo = ChildProcessLauncher.CreateStartInfo(fileName, arguments, workingDirectory, environment);

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        try
        {
            return new ChildProcess(name, process, output, keepLines);
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>Runs a program to completion and returns its exit code; kills it if <paramref name="cancellationToken"/> fires.</summary>
    public static async Task<(int ExitCode, IReadOnlyList<string> RecentOutput)> RunAsync(
        string name,
        string fileName,
        IEnumerable<string> arguments,
        Action<string>? output = null,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        CancellationToken cancellationToken = default)
    {
        await using var child = Start(name, fileName, arguments, output, workingDirectory, environment);
        using (cancellationToken.Register(() => child.Kill()))
        {
            var code = await child.Exited.ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return (code, child.RecentOutput);
        }
    }

    /// <summary>The last output lines (stdout and stderr interleaved, without the name prefix).</summary>
    public IReadOnlyList<string> RecentOutput => outputLines.Recent;

    /// <summary>The last output lines as one indented block, for error messages.</summary>
    public string DescribeRecentOutput(int lines = 40)
    {
        var all = RecentOutput;
        var tail = all.Skip(Math.Max(0, all.Count - lines)).Select(line => "    " + line);
        return all.Count == 0 ? "    (no output)" : string.Join(Environment.NewLine, tail);
    }

    /// <summary>Resident memory of the child in bytes (Linux, from /proc), or null when unknown or exited.</summary>
    public long? ResidentMemoryBytes
    {
        get
        {
            try
            {
                foreach (var line in File.ReadLines($"/proc/{Id}/status"))
                {
                    if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    {
                        var kilobytes = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0]);
                        return kilobytes * 1024;
                    }
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
            return null;
        }
    }

    /// <summary>Waits until an output line matches; fails when the child exits first or the timeout passes.</summary>
    public async Task<string> WaitForOutputAsync(Func<string, bool> match, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (outputLines.FindOrWatch(match, found) is { } earlier)
        {
            return earlier;
        }
        try
        {
            var finished = await Task.WhenAny(found.Task, exited, Task.Delay(timeout, cancellationToken)).ConfigureAwait(false);
            if (finished == found.Task)
            {
                return await found.Task.ConfigureAwait(false);
            }
            cancellationToken.ThrowIfCancellationRequested();
            if (finished == exited)
            {
                // The line may have arrived together with the exit.
                if (found.Task.IsCompleted)
                {
                    return await found.Task.ConfigureAwait(false);
                }
                throw await ExitedBeforeReadyAsync().ConfigureAwait(false);
            }
            throw new TimeoutException(
                $"{Name} was not ready after {timeout.TotalSeconds:0.#} s. Last output:{Environment.NewLine}" + DescribeRecentOutput());
        }
        finally
        {
            outputLines.StopWatching(found);
        }
    }

    /// <summary>Kills the child and all its descendants at once (SIGKILL).</summary>
    public void Kill()
    {
        if (UsesProcessGroup && !exitSignal.Task.IsCompleted)
        {
            _ = SendSignal(-Id, SigKill); // the whole group: the child and whatever it started
        }
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Exited between the check and the kill.
        }
    }

    /// <summary>Asks the child (and its process group) to stop with SIGTERM, then kills whatever is left after
    /// <paramref name="grace"/> with SIGKILL.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (!HasExited && !OperatingSystem.IsWindows() && grace > TimeSpan.Zero)
        {
            _ = SendSignal(UsesProcessGroup ? -Id : Id, SigTerm);
            await Task.WhenAny(exited, Task.Delay(grace)).ConfigureAwait(false);
        }
        Kill();
        await Task.WhenAny(exited, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
    }

    /// <summary>How long a child has to end after SIGTERM before it is killed: the emulators and the functions end within
    /// it when they can (a JVM's shutdown hooks, Kestrel's shutdown), and Ctrl+C is to stop everything within 3 s.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(1);

    /// <summary>Stops the child: SIGTERM, then SIGKILL after <see cref="StopGrace"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(StopGrace).ConfigureAwait(false);
        ChildProcessRegistry.Remove(this);
        process.Dispose();
    }

    /// <summary>Kills the child with its descendants at once.</summary>
    public void Dispose()
    {
        Kill();
        exited.Wait(TimeSpan.FromSeconds(5));
        ChildProcessRegistry.Remove(this);
        process.Dispose();
    }

    /// <summary>Kills every child still running. Called on process exit, unhandled exception and Ctrl+C.</summary>
    public static void KillAll() => ChildProcessRegistry.KillAll();

    private async Task<int> WatchExitAsync()
    {
        await exitSignal.Task.ConfigureAwait(false);
        if (UsesProcessGroup)
        {
            // Whatever the child left running in its group goes with it. This is done right away, while its
            // id cannot have been given to an unrelated process yet; later kills only target the child itself.
            _ = SendSignal(-Id, SigKill);
        }
        // Read what is left in the pipes, but do not hang if a grandchild keeps them open.
        await Task.WhenAny(outputLines.Closed, Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
        ChildProcessRegistry.Remove(this);
        try
        {
            return process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            return -1;
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
