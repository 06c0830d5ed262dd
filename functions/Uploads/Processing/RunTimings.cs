using Microsoft.Extensions.Logging;

namespace Serverless.Uploads.Processing;

/// <summary>
/// Where one invocation's work on an upload went, logged once when it ends (<c>Upload {UploadId} timings</c>), so a slow
/// upload's log says which stage held it: the stages one after another (the claim; setup, up to the first model call;
/// scoring, up to the last result line; the end: the result's completion or the hand-on), and within scoring how long each
/// part of the pipeline was busy. Those overlap, as the pipeline runs them at once: reading and parsing rows, waiting for
/// a reservation, the model calls (summed over the calls in flight), writing result lines and parts, progress writes. The
/// upload bench reads the line for its breakdown.
/// </summary>
internal sealed class RunTimings(TimeProvider time)
{
    private readonly long started = time.GetTimestamp();
    private long claimed;
    private long firstCall;
    private long scored;

    public Busy Read { get; } = new(time);
    public Busy Reserve { get; } = new(time);
    public Busy Model { get; } = new(time);
    public Busy Write { get; } = new(time);
    public Busy Progress { get; } = new(time);

    public long Now() => time.GetTimestamp();

    public void Claimed() => claimed = time.GetTimestamp();

    /// <summary>A batch goes to the model: the first one ends the setup.</summary>
    public void Calling()
    {
        if (firstCall == 0) firstCall = time.GetTimestamp();
    }

    /// <summary>The last result line of this invocation is written: the end starts.</summary>
    public void Scored() => scored = time.GetTimestamp();

    public void Log(ILogger logger, string uploadId, long rows)
    {
        // A stage that never began (no claim, no batch) took no time: its mark is the one before it.
        var claim = claimed == 0 ? started : claimed;
        var call = firstCall == 0 ? claim : firstCall;
        var last = scored == 0 ? call : scored;
        var end = time.GetTimestamp();
        logger.LogInformation("Upload {UploadId} timings: {Rows} rows in {TotalMs} ms; claim {ClaimMs} ms, "
            + "to the first model call {SetupMs} ms, scoring {ScoringMs} ms, end {EndMs} ms; busy: read {ReadMs} ms, "
            + "reserve {ReserveMs} ms ({Reservations}), model {ModelMs} ms ({ModelCalls} calls), write {WriteMs} ms, "
            + "progress {ProgressMs} ms ({ProgressWrites})",
            uploadId, rows, Ms(started, end), Ms(started, claim), Ms(claim, call), Ms(call, last), Ms(last, end),
            Read.Milliseconds, Reserve.Milliseconds, Reserve.Count, Model.Milliseconds, Model.Count, Write.Milliseconds,
            Progress.Milliseconds, Progress.Count);
    }

    private long Ms(long from, long to) => (long)time.GetElapsedTime(from, to).TotalMilliseconds;

    /// <summary>How long, in all, one part of the pipeline was busy, and how many times; safe to add to concurrently.</summary>
    internal sealed class Busy(TimeProvider time)
    {
        private long ticks;
        private long count;

        public long Count => Interlocked.Read(ref count);

        public long Milliseconds => (long)time.GetElapsedTime(0, Interlocked.Read(ref ticks)).TotalMilliseconds;

        /// <summary>Adds the time since <paramref name="startedAt"/> (a <see cref="Now"/>).</summary>
        public void Add(long startedAt)
        {
            Interlocked.Add(ref ticks, time.GetTimestamp() - startedAt);
            Interlocked.Increment(ref count);
        }
    }
}
