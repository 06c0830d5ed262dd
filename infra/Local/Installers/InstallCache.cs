using System.Diagnostics;
using Serverless.Local.Processes;

namespace Serverless.Local.Installers;

/// <summary>
/// A cache folder whose installs happen once: each is built in a temporary folder, moved into place and then marked
/// done with a marker file naming what was installed, so later runs only check the marker. Installs are serialised
/// between processes with a lock file per destination. <see cref="RunToolAsync"/> runs the tools (npm, javac) that
/// build steps need.
/// </summary>
/// <param name="directory">The cache folder.</param>
/// <param name="log">Receives progress lines.</param>
internal sealed class InstallCache(string directory, Action<string> log)
{
    private const string MarkerFile = ".installed";

    /// <summary>Installs <paramref name="destination"/> unless its marker already holds <paramref name="markerText"/>.</summary>
    /// <param name="destination">The folder of the finished install, inside the cache folder.</param>
    /// <param name="markerText">What the marker file of a finished install holds: the pinned version(s).</param>
    /// <param name="description">What is installed, for progress lines.</param>
    /// <param name="build">Builds the install inside the staging folder it is given and returns the folder to move into place;
    /// it writes its progress (a tool's output) to the log it is given, whose lines name the install, as installs run at once.</param>
    /// <param name="cancellationToken">Cancels the wait for the lock and the install.</param>
    public async Task InstallOnceAsync(
        string destination,
        string markerText,
        string description,
        Func<string, Action<string>, Task<string>> build,
        CancellationToken cancellationToken)
    {
        if (IsInstalled(destination, markerText))
        {
            return;
        }
        Directory.CreateDirectory(directory);
        var lockFile = Path.Combine(directory, $".{Path.GetFileName(destination)}.lock");
        using var installLock = await AcquireLockAsync(lockFile, description, cancellationToken).ConfigureAwait(false);
        if (IsInstalled(destination, markerText))
        {
            return; // another process installed it while we waited
        }

        // Staging folders of this install left by a process that was killed mid-way (we hold the lock now).
        foreach (var stale in Directory.GetDirectories(directory, $".staging-{Path.GetFileName(destination)}-*"))
        {
            TryDeleteDirectory(stale);
        }

        var clock = Stopwatch.StartNew();
        log($"Installing {description} into {destination} ...");
        var staging = Path.Combine(directory, $".staging-{Path.GetFileName(destination)}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            var built = await build(staging, line => log($"[{Path.GetFileName(destination)}] {line}")).ConfigureAwait(false);
            if (Directory.Exists(destination))
            {
                Directory.Delete(destination, recursive: true); // a previous, unfinished install
            }
            Directory.Move(built, destination);
            await File.WriteAllTextAsync(Path.Combine(destination, MarkerFile), markerText + "\n", cancellationToken).ConfigureAwait(false);
            log($"Installed {description} in {clock.Elapsed.TotalSeconds:0.0} s.");
        }
        finally
        {
            TryDeleteDirectory(staging);
        }
    }

    /// <summary>True when <paramref name="destination"/> is a finished install whose marker holds <paramref name="markerText"/>.</summary>
    public static bool IsInstalled(string destination, string markerText)
    {
        var marker = Path.Combine(destination, MarkerFile);
        return File.Exists(marker) && File.ReadAllText(marker).Trim() == markerText;
    }

    /// <summary>Runs a tool of a build step to completion; fails with its last output lines if it exits non-zero.</summary>
    /// <param name="tool">The program, looked up on PATH; it also prefixes its output lines.</param>
    /// <param name="arguments">Its arguments (no shell).</param>
    /// <param name="workingDirectory">Where it runs.</param>
    /// <param name="log">Receives the command line and the tool's output.</param>
    /// <param name="cancellationToken">Kills the tool.</param>
    public static async Task RunToolAsync(
        string tool,
        string[] arguments,
        string workingDirectory,
        Action<string> log,
        CancellationToken cancellationToken)
    {
        log($"> {tool} {string.Join(' ', arguments)}");
        (int ExitCode, IReadOnlyList<string> RecentOutput) result;
        try
        {
            result = await ChildProcess.RunAsync(
                tool,
                tool,
                arguments,
                log,
                workingDirectory,
                new Dictionary<string, string?>
                {
                    ["npm_config_update_notifier"] = "false",
                    ["npm_config_fund"] = "false",
                    ["npm_config_audit"] = "false",
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException ex)
        {
            throw new InvalidOperationException(
                $"{ex.Message} The local cloud needs Node.js 20+ with npm, and a JDK 17+ (java and javac), on PATH.", ex);
        }
        if (result.ExitCode != 0)
        {
            var tail = string.Join(Environment.NewLine, result.RecentOutput.TakeLast(30).Select(line => "    " + line));
            throw new InvalidOperationException(
                $"'{tool} {string.Join(' ', arguments)}' failed with exit code {result.ExitCode}. Last output:{Environment.NewLine}{tail}");
        }
    }

    private async Task<FileStream> AcquireLockAsync(string path, string description, CancellationToken cancellationToken)
    {
        var announced = false;
        while (true)
        {
            try
            {
                // On Unix .NET backs FileShare.None with an advisory flock, which other processes respect.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                if (!announced)
                {
                    log($"Waiting for another process to finish installing {description} ...");
                    announced = true;
                }
                await Task.Delay(250, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
