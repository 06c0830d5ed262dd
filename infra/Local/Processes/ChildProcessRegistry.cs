using System.Collections.Concurrent;

namespace Serverless.Local.Processes;

/// <summary>
/// The children still running, and the hooks that kill them all (with their descendants) on
/// <see cref="AppDomain.ProcessExit"/>, on an unhandled exception and on Ctrl+C
/// (see <see cref="ChildProcess.KillOnCancelKeyPress"/>).
/// </summary>
internal static class ChildProcessRegistry
{
    private static readonly ConcurrentDictionary<ChildProcess, byte> Running = new();
    private static readonly object HookGate = new();
    private static bool hooksInstalled;

    /// <summary>Records a child that has started.</summary>
    public static void Add(ChildProcess child) => Running.TryAdd(child, 0);

    /// <summary>Forgets a child that has exited or been disposed.</summary>
    public static void Remove(ChildProcess child) => Running.TryRemove(child, out _);

    /// <summary>Kills every child still running.</summary>
    public static void KillAll()
    {
        foreach (var child in Running.Keys)
        {
            child.Kill();
        }
    }

    /// <summary>Installs the process-wide hooks, once.</summary>
    public static void InstallHooks()
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
            if (ChildProcess.KillOnCancelKeyPress)
            {
                KillAll();
            }
        };
    }
}
