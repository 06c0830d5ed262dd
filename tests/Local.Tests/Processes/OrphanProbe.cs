using System.Runtime.InteropServices;
using Serverless.Local.Processes;

namespace Serverless.Local.Tests.Processes;

/// <summary>
/// Runs in a separate .NET process (see <c>StartupHook</c>): starts <c>sleep 1000</c> through <see cref="ChildProcess"/>
/// from a thread that ends right away, reports "CHILD &lt;pid&gt; alive|dead" on stdout, then ends the way
/// <paramref name="mode"/> says.
/// </summary>
internal static class OrphanProbe
{
    public const string ModeVariable = "SERVERLESS_CHILD_PROCESS_PROBE";

    public static void Run(string mode)
    {
        // Ctrl+C ends a process started from a terminal; one started by a background job of a script (`cmd &`, how CI
        // runners and nohup'd runs start tests) inherits SIGINT ignored, and "sigint" would then wait for an end that never comes.
        Signal(SigInt, SigDefault);
        ChildProcess? child = null;
        // Started from a short-lived thread: the child must survive that thread's end (ChildProcess forks on its own thread).
        var starter = new Thread(() => child = ChildProcess.Start("sleep", "sleep", ["1000"]));
        starter.Start();
        starter.Join();
        Thread.Sleep(300);
        var alive = child is not null && !child.HasExited && Directory.Exists($"/proc/{child.Id}");
        Console.WriteLine($"CHILD {child?.Id ?? -1} {(alive ? "alive" : "dead")}");
        Console.Out.Flush();

        switch (mode)
        {
            case "wait":
                // The test SIGKILLs or SIGINTs this process.
                Thread.Sleep(Timeout.Infinite);
                break;
            case "exit":
                // Return: the (empty) Main runs and the process ends normally, without disposing the child.
                break;
            case "throw":
                var crash = new Thread(() => throw new InvalidOperationException("unhandled exception in the probe"));
                crash.Start();
                crash.Join();
                Thread.Sleep(Timeout.Infinite);
                break;
            default:
                throw new ArgumentException($"Unknown probe mode {mode}");
        }
    }

    private const int SigInt = 2;
    private const nint SigDefault = 0;

    [DllImport("libc", EntryPoint = "signal")]
    private static extern nint Signal(int signal, nint handler);
}
