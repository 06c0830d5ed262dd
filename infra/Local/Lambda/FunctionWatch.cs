using System.Diagnostics;
using System.Threading.Channels;

namespace Serverless.Local.Lambda;

/// <summary>
/// <c>--watch</c>: a change under <c>functions/</c> (once the files have been quiet for <see cref="Quiet"/>) rebuilds the groups
/// whose content changed (<see cref="FunctionBuilds"/>) and moves their functions to the new build
/// (<see cref="LambdaService.Redeploy"/>); nothing else restarts. A failed build keeps the old code serving.
/// </summary>
public sealed class FunctionWatch : IAsyncDisposable
{
    /// <summary>An editor's save is several writes (a temporary file, a rename): they make one rebuild.</summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    private readonly FileSystemWatcher watcher;
    private readonly Channel<string> changes = Channel.CreateUnbounded<string>();
    private readonly CancellationTokenSource stopping = new();
    private readonly Task watching;

    private FunctionWatch(string repoRoot, FunctionBuilds builds, LambdaService lambda, Action<string> log)
    {
        var functions = Path.Combine(repoRoot, "functions");
        watcher = new FileSystemWatcher(functions) { IncludeSubdirectories = true };
        void Changed(string path)
        {
            var relative = Path.GetRelativePath(repoRoot, path);
            if (!relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj")) changes.Writer.TryWrite(relative);
        }
        watcher.Changed += (_, change) => Changed(change.FullPath);
        watcher.Created += (_, change) => Changed(change.FullPath);
        watcher.Deleted += (_, change) => Changed(change.FullPath);
        watcher.Renamed += (_, change) => Changed(change.FullPath);
        // Events lost (the kernel's queue overflowed): check every group; the content hashes tell which changed.
        watcher.Error += (_, _) => changes.Writer.TryWrite("functions/");
        watcher.EnableRaisingEvents = true;
        watching = WatchAsync(builds, lambda, log, stopping.Token);
        log($"[watch] watching {functions}: a change rebuilds its groups and reloads their functions");
    }

    public static FunctionWatch Start(string repoRoot, FunctionBuilds builds, LambdaService lambda, Action<string> log) =>
        new(repoRoot, builds, lambda, log);

    private async Task WatchAsync(FunctionBuilds builds, LambdaService lambda, Action<string> log, CancellationToken cancellationToken)
    {
        try
        {
            while (await changes.Reader.WaitToReadAsync(cancellationToken))
            {
                var changed = new SortedSet<string>(StringComparer.Ordinal);
                do await Task.Delay(Quiet, cancellationToken);
                while (Drain(changed));
                await RebuildAsync(changed, builds, lambda, log, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Takes the changes waiting; false when there were none.</summary>
    private bool Drain(SortedSet<string> changed)
    {
        var any = false;
        while (changes.Reader.TryRead(out var path))
        {
            changed.Add(path);
            any = true;
        }
        return any;
    }

    private static async Task RebuildAsync(SortedSet<string> changed, FunctionBuilds builds, LambdaService lambda, Action<string> log,
        CancellationToken cancellationToken)
    {
        var what = string.Join(", ", changed.Take(3)) + (changed.Count > 3 ? $" and {changed.Count - 3} more" : "");
        var clock = Stopwatch.StartNew();
        IReadOnlyList<GroupBuild> rebuilt;
        try
        {
            rebuilt = await builds.BuildChangedAsync(log, cancellationToken);
        }
        catch (Exception failed) when (failed is FunctionBuildException or IOException)
        {
            log($"[watch] {what} changed: the build failed; the previous code still serves.{Environment.NewLine}{failed.Message}");
            return;
        }
        if (rebuilt.Count == 0) return; // the content is what was built: nothing to reload
        foreach (var build in rebuilt.Where(build => build.Previous is not null))
            lambda.Redeploy(build.Previous!, build.Directory);
        log($"[watch] {what} changed: rebuilt {string.Join(", ", rebuilt.Select(build => build.Group.ContextPath))} in "
            + $"{clock.Elapsed.TotalSeconds:0.0} s; new code serves from {DateTime.Now:HH:mm:ss}");
    }

    public async ValueTask DisposeAsync()
    {
        watcher.Dispose();
        await stopping.CancelAsync();
        await watching;
        stopping.Dispose();
    }
}
