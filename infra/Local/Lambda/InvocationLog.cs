using System.Diagnostics;
using System.Text;

namespace Serverless.Local.Lambda;

/// <summary>
/// What a function printed (stdout and stderr) while one invocation ran on its instance: from the runtime's
/// <c>invocation/next</c> that took it until the next one (Lambda's log stream between START and REPORT).
/// </summary>
/// <remarks>The runtime writes its last lines before it posts the response, but they reach the local service through a
/// pipe that may be read after the response: <see cref="SettledAsync"/> waits for the output to go quiet (100 ms, which
/// leaves a loaded machine's pipe reader time to catch up; only the Invoke API's <c>--log-type Tail</c> waits for it).</remarks>
public sealed class InvocationLog(string requestId)
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MostWait = TimeSpan.FromSeconds(2);

    private readonly Lock gate = new();
    private readonly StringBuilder text = new();
    private long lastLineAt = Stopwatch.GetTimestamp();
    private bool closed;

    public string RequestId { get; } = requestId;

    /// <summary>When the runtime took the invocation.</summary>
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    public void Append(string line)
    {
        lock (gate)
        {
            if (closed) return;
            text.Append(line).Append('\n');
            lastLineAt = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>The instance took its next invocation or ended: later lines are not this invocation's.</summary>
    public void Close()
    {
        lock (gate) closed = true;
    }

    /// <summary>The lines, once the instance moved on or its output stayed quiet for a moment since the answer came.</summary>
    public async Task<string> SettledAsync()
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < MostWait)
        {
            lock (gate)
            {
                if (closed || (waited.Elapsed >= Quiet && Stopwatch.GetElapsedTime(lastLineAt) >= Quiet)) break;
            }
            await Task.Delay(Quiet / 4);
        }
        lock (gate) return text.ToString();
    }
}
