using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Serverless.Local.Processes;

/// <summary>
/// Launches the local cloud's children so that they cannot outlive it. On Linux each is started through
/// <c>setpriv --pdeathsig KILL</c> and <c>setsid</c>. PR_SET_PDEATHSIG fires when the <em>thread</em> that forked
/// the child ends, and .NET forks on the calling thread, so every child is started from one dedicated background
/// thread that lives as long as the process.
/// </summary>
internal static class ChildProcessLauncher
{
    private const string SetPrivPath = "/usr/bin/setpriv";
    private const string SetSidPath = "/usr/bin/setsid";

    private static readonly BlockingCollection<Action> SpawnQueue = new();
    private static readonly object SpawnGate = new();
    private static Thread? spawnThread;

    /// <summary>True when children are started with a parent-death signal (Linux with util-linux setpriv).</summary>
    public static bool UsesParentDeathSignal { get; } = OperatingSystem.IsLinux() && File.Exists(SetPrivPath);

    /// <summary>True when each child leads its own session and process group (Linux with util-linux setsid).</summary>
    public static bool UsesProcessGroup { get; } = OperatingSystem.IsLinux() && File.Exists(SetSidPath);

    /// <summary>How to start <paramref name="fileName"/> (a path or a name looked up on PATH) with redirected
    /// standard streams, wrapped in setpriv and setsid where they are used.</summary>
    public static ProcessStartInfo CreateStartInfo(
        string fileName,
        IEnumerable<string> arguments,
        string? workingDirectory,
        IReadOnlyDictionary<string, string?>? environment)
    {
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
        SetEnvironment(startInfo, environment);
        return startInfo;
    }

    /// <summary>Sets the child's variables over the inherited ones; a null value removes one.</summary>
    private static void SetEnvironment(ProcessStartInfo startInfo, IReadOnlyDictionary<string, string?>? environment)
    {
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
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

    /// <summary>Starts <paramref name="process"/> from the spawner thread and waits until it has started.</summary>
    public static void StartOnSpawnThread(Process process)
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
        lock (SpawnGate)
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
}
