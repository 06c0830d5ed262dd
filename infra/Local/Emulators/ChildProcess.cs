using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Serverless.Local.Emulators;

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
    private const string SetPrivPath = "/usr/bin/setpriv";
    private const string SetSidPath = "/usr/bin/setsid";
    private const int SigTerm = 15;
    private const int SigKill = 9;

    private static readonly ConcurrentDictionary<ChildProcess, byte> Running = new();
    private static readonly BlockingCollection<Action> SpawnQueue = new();
    private static readonly object HookGate = new();
    private static Thread? spawnThread;
    private static bool hooksInstalled;

    private readonly Process process;
    private readonly Action<string>? output;
    private readonly int keepLines;
    private readonly object gate = new();
    private readonly Queue<string> recent = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> waiters = [];
    private readonly TaskCompletionSource exitSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task<int> exited;

    /// <summary>When true (the default), Ctrl+C in the local cloud's console kills every running child at once.
    /// Set it to false if the host wants to stop its children itself during a graceful shutdown.</summary>
    public static bool KillOnCancelKeyPress { get; set; } = true;

    /// <summary>True when children are started with a parent-death signal (Linux with util-linux setpriv).</summary>
    public static bool UsesParentDeathSignal { get; } = OperatingSystem.IsLinux() && File.Exists(SetPrivPath);

    /// <summary>True when each child leads its own session and process group (Linux with util-linux setsid), so that
    /// stopping it also stops anything it started, and the terminal's Ctrl+C reaches only the local cloud,
    /// which then stops its children itself.</summary>
    public static bool UsesProcessGroup { get; } = OperatingSystem.IsLinux() && File.Exists(SetSidPath);

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
        this.output = output;
        this.keepLines = Math.Max(1, keepLines);

        process.OutputDataReceived += (_, e) => OnData(e.Data, stdoutClosed);
        process.ErrorDataReceived += (_, e) => OnData(e.Data, stderrClosed);
        process.Exited += (_, _) => exitSignal.TrySetResult();

        StartOnSpawnThread(process);
        Id = process.Id;
        Running.TryAdd(this, 0);
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
        InstallHooks();

        var program = ResolveExecutable(fileName);
        var startInfo = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardInput = true, // never written: the child sees EOF once the local cloud is gone
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        // setpriv sets PR_SET_PDEATHSIG and execs setsid, which makes a new session and execs the program:
        // one process, whose id is the program's own, and the death signal survives both execs.
        var command = new List<string>();
        if (UsesParentDeathSignal)
        {
            command.AddRange([SetPrivPath, "--pdeathsig", "KILL", "--"]);
        }
        if (UsesProcessGroup)
        {
            command.Add(SetSidPath);
        }
        command.Add(program);
        startInfo.FileName = command[0];
        foreach (var part in command.Skip(1))
        {
            startInfo.ArgumentList.Add(part);
        }
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                if (value is null)
                {
                    startInfo.Environment.Remove(key);
                }
                else
                {
                    startInfo.Environment[key] = value;
                }
            }
        }

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
    public IReadOnlyList<string> RecentOutput
    {
        get
        {
            lock (gate)
            {
                return [.. recent];
            }
        }
    }

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
        lock (gate)
        {
            var earlier = recent.FirstOrDefault(match);
            if (earlier is not null)
            {
                return earlier;
            }
            waiters.Add((match, found));
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
                throw new InvalidOperationException(
                    $"{Name} exited with code {await exited.ConfigureAwait(false)} before it was ready. Last output:{Environment.NewLine}{DescribeRecentOutput()}");
            }
            throw new TimeoutException(
                $"{Name} was not ready after {timeout.TotalSeconds:0.#} s. Last output:{Environment.NewLine}{DescribeRecentOutput()}");
        }
        finally
        {
            lock (gate)
            {
                waiters.RemoveAll(w => w.Found == found);
            }
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

    /// <summary>Stops the child: SIGTERM, then SIGKILL after 3 seconds.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(3)).ConfigureAwait(false);
        Running.TryRemove(this, out _);
        process.Dispose();
    }

    /// <summary>Kills the child with its descendants at once.</summary>
    public void Dispose()
    {
        Kill();
        exited.Wait(TimeSpan.FromSeconds(5));
        Running.TryRemove(this, out _);
        process.Dispose();
    }

    /// <summary>Kills every child still running. Called on process exit, unhandled exception and Ctrl+C.</summary>
    public static void KillAll()
    {
        foreach (var child in Running.Keys)
        {
            child.Kill();
        }
    }

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
        await Task.WhenAny(Task.WhenAll(stdoutClosed.Task, stderrClosed.Task), Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
        Running.TryRemove(this, out _);
        try
        {
            return process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            return -1;
        }
    }

    private void OnData(string? data, TaskCompletionSource closed)
    {
        if (data is null)
        {
            closed.TrySetResult();
            return;
        }
        var line = AnsiEscape().Replace(data, string.Empty).TrimEnd('\r');
        List<TaskCompletionSource<string>>? matched = null;
        lock (gate)
        {
            recent.Enqueue(line);
            while (recent.Count > keepLines)
            {
                recent.Dequeue();
            }
            foreach (var (match, found) in waiters)
            {
                if (SafeMatch(match, line))
                {
                    (matched ??= []).Add(found);
                }
            }
        }
        if (output is not null)
        {
            try
            {
                output($"[{Name}] {line}");
            }
            catch (Exception)
            {
                // A logging callback must never take the local cloud down (e.g. a test's output helper after the test ended).
            }
        }
        matched?.ForEach(found => found.TrySetResult(line));
    }

    private static bool SafeMatch(Func<string, bool> match, string line)
    {
        try
        {
            return match(line);
        }
        catch (Exception)
        {
            return false;
        }
    }

    private static void StartOnSpawnThread(Process process)
    {
        EnsureSpawnThread();
        if (Thread.CurrentThread == spawnThread)
        {
            process.Start();
            return;
        }
        Exception? failure = null;
        using var done = new ManualResetEventSlim();
        SpawnQueue.Add(() =>
        {
            try
            {
                process.Start();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
            finally
            {
                done.Set();
            }
        });
        done.Wait();
        if (failure is not null)
        {
            throw new InvalidOperationException($"Could not start {process.StartInfo.FileName}: {failure.Message}", failure);
        }
    }

    private static void EnsureSpawnThread()
    {
        lock (HookGate)
        {
            if (spawnThread is not null)
            {
                return;
            }
            // One long-lived thread forks every child: the parent-death signal is tied to the forking thread.
            spawnThread = new Thread(() =>
            {
                foreach (var work in SpawnQueue.GetConsumingEnumerable())
                {
                    work();
                }
            })
            {
                IsBackground = true,
                Name = "child-process-spawner",
            };
            spawnThread.Start();
        }
    }

    private static void InstallHooks()
    {
        lock (HookGate)
        {
            if (hooksInstalled)
            {
                return;
            }
            hooksInstalled = true;
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => KillAll();
        Console.CancelKeyPress += (_, _) =>
        {
            if (KillOnCancelKeyPress)
            {
                KillAll();
            }
        };
    }

    private static string ResolveExecutable(string fileName)
    {
        if (fileName.Contains(Path.DirectorySeparatorChar) || fileName.Contains(Path.AltDirectorySeparatorChar))
        {
            var full = Path.GetFullPath(fileName);
            return File.Exists(full) ? full : throw new FileNotFoundException($"Program not found: {full}", full);
        }
        var extensions = OperatingSystem.IsWindows()
            ? (Environment.GetEnvironmentVariable("PATHEXT") ?? ".EXE;.CMD;.BAT").Split(';')
            : [string.Empty];
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            if (directory.Length == 0)
            {
                continue;
            }
            foreach (var extension in extensions)
            {
                var candidate = Path.Combine(directory, fileName + extension);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        throw new FileNotFoundException($"'{fileName}' was not found on PATH.", fileName);
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    [GeneratedRegex(@"\x1B\[[0-?]*[ -/]*[@-~]")]
    private static partial Regex AnsiEscape();
}
