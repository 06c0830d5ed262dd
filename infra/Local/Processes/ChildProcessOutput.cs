using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Serverless.Local.Processes;

/// <summary>
/// A child's standard output and error, read line by line: each line is stripped of ANSI colour codes, kept among
/// the last lines, handed to whoever waits for a line like it and passed, prefixed with the child's name, to a callback.
/// </summary>
internal sealed partial class ChildProcessOutput
{
    private readonly string name;
    private readonly Action<string>? output;
    private readonly int keepLines;
    private readonly object gate = new();
    private readonly Queue<string> recent = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> waiters = [];
    private readonly TaskCompletionSource stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Reads the output of <paramref name="process"/>, which must not have been started yet.</summary>
    public ChildProcessOutput(Process process, string name, Action<string>? output, int keepLines)
    {
        this.name = name;
        this.output = output;
        this.keepLines = Math.Max(1, keepLines);
        process.OutputDataReceived += (_, e) => OnData(e.Data, stdoutClosed);
        process.ErrorDataReceived += (_, e) => OnData(e.Data, stderrClosed);
    }

    /// <summary>Completes once both standard output and standard error are closed.</summary>
    public Task Closed => Task.WhenAll(stdoutClosed.Task, stderrClosed.Task);

    /// <summary>The last lines (stdout and stderr interleaved, without the name prefix).</summary>
    public IReadOnlyList<string> Recent
    {
        get
        {
            lock (gate)
            {
                return [.. recent];
            }
        }
    }

    /// <summary>The first kept line that matches; when there is none, null, and <paramref name="found"/> completes with
    /// the next line that matches, until <see cref="StopWatching"/>.</summary>
    public string? FindOrWatch(Func<string, bool> match, TaskCompletionSource<string> found)
    {
        lock (gate)
        {
            var earlier = recent.FirstOrDefault(match);
            if (earlier is not null)
            {
                return earlier;
            }
            waiters.Add((match, found));
            return null;
        }
    }

    /// <summary>Stops matching new lines for <paramref name="found"/>.</summary>
    public void StopWatching(TaskCompletionSource<string> found)
    {
        lock (gate)
        {
            waiters.RemoveAll(w => w.Found == found);
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
                output($"[{name}] {line}");
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

    [GeneratedRegex(@"\x1B\[[0-?]*[ -/]*[@-~]")]
    private static partial Regex AnsiEscape();
}
