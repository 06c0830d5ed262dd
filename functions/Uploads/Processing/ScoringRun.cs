using System.Globalization;
using System.Net;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Amazon.S3;
using Amazon.S3.Model;
using Serverless.Kernel.Aws;
using Serverless.Kernel.Metrics;
using Serverless.Kernel.Runtime;
using Serverless.Uploads.Parsing;
using Serverless.Uploads.Results;
using Serverless.Uploads.Scoring;

namespace Serverless.Uploads.Processing;

/// <summary>
/// One invocation's share of an upload, as a pipeline: a reader reads rows from a position into batches and sends each to
/// the model as soon as one of <see cref="ProcessUploadSettings.MaxInFlight"/> calls is free (a call frees its place when
/// the model answers, not when its rows are written); a writer takes the batches in row order as their scores come, writes
/// their lines and updates the counts now and then. Neither waits for the other but when the model is the slower part, as
/// it should be. The reader stops taking new batches when the invocation's safety margin is reached; batches still being
/// scored then get until half the margin is left, and one that does not finish is read again by the next invocation. It
/// also stops, for good, before the first text its <see cref="UploadAllowance"/> cannot reserve within the user's monthly
/// quota: <see cref="StoppedAtQuota"/>. Only the batches on their way (at most twice the calls in flight) and the result's
/// part buffer are held in memory.
/// </summary>
internal sealed class ScoringRun(
    ClaimedUpload upload, Tally tally, ResultWriter writer, BatchScorer scorer, ProcessingStore store, ProcessUploadSettings settings,
    TimeProvider time, LambdaContext context, UploadAllowance allowance, RunTimings timings)
{
    // Not disposed: a call cancelled at the end of the run may still release its place after the run.
    private readonly SemaphoreSlim calls = new(settings.MaxInFlight);
    private readonly Channel<(Batch Batch, Task<IReadOnlyList<Classification>> Scores)> batches =
        Channel.CreateBounded<(Batch, Task<IReadOnlyList<Classification>>)>(
            new BoundedChannelOptions(2 * settings.MaxInFlight) { SingleReader = true, SingleWriter = true });
    private DateTimeOffset lastProgress = time.GetUtcNow();
    private ReaderPosition written = ReaderPosition.Start;

    /// <summary>Whether the run ended before a row with text because the quota had no text left for it: the rest is not
    /// scored.</summary>
    public bool StoppedAtQuota { get; private set; }

    /// <summary>
    /// Processes rows from <paramref name="from"/>; null once the file is done (or stopped at the quota), else the position
    /// to resume at.
    /// </summary>
    public async Task<ReaderPosition?> RunAsync(UploadFormat format, ReaderPosition from, UploadObject file, IAmazonS3 s3)
    {
        written = from;
        var margin = settings.SafetyMargin(context.RemainingTime);
        var cancellationToken = context.CancellationToken;
        using var deadline = new CancellationTokenSource(Max(TimeSpan.Zero, context.Deadline - margin / 2 - time.GetUtcNow()), time);
        // Cancelled at the deadline, with the invocation, or when the reader or the writer fails: the other stops then.
        using var scoring = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var writing = WriteBatchesAsync(scoring);
        var reading = from.Offset < file.Size
            ? ReadBatchesAsync(format, from, file, s3, context.Deadline - margin, scoring)
            : Task.FromResult(CompleteBatches(stopped: false));
        try
        {
            await Task.WhenAll(reading, writing);
            return await reading ? written : null;
        }
        catch when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested && Failure(reading, writing) is null)
        {
            // A batch did not finish within the margin: the next invocation reads it again.
            return written;
        }
        catch when (Failure(reading, writing) is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
            throw;
        }
        finally
        {
            await scoring.CancelAsync();
            while (batches.Reader.TryRead(out var abandoned))
                await abandoned.Scores.ContinueWith(
                    static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            await allowance.StopAsync();
        }
    }

    /// <summary>What stopped the run, when one side failed (the other then stopped on the cancellation it caused).</summary>
    private static Exception? Failure(Task reading, Task writing) =>
        reading.IsFaulted ? reading.Exception.InnerException : writing.IsFaulted ? writing.Exception.InnerException : null;

    /// <summary>
    /// Reads rows from <paramref name="from"/> into batches and sends each full one to be scored; true when it stopped taking
    /// batches at <paramref name="stopAt"/>, false at the end of the file or the quota (the last batch sent too).
    /// </summary>
    private async Task<bool> ReadBatchesAsync(UploadFormat format, ReaderPosition from, UploadObject file, IAmazonS3 s3,
        DateTimeOffset stopAt, CancellationTokenSource scoring)
    {
        try
        {
            using var response = await ReadObjectAsync(s3, file, from.Offset, scoring.Token);
            var batch = new Batch();
            await using var rows = RowReader.ReadAsync(response.ResponseStream, format, from, scoring.Token)
                .GetAsyncEnumerator(scoring.Token);
            while (timings.Now() is var reading && await rows.MoveNextAsync())
            {
                timings.Read.Add(reading);
                var row = rows.Current;
                if (row.Number > settings.MaxUploadRows)
                    throw new UploadFormatException(
                        $"The file has more than {Invariant(settings.MaxUploadRows)} rows, the most one upload may have. " +
                        "Split it into smaller files.");
                if (row.Text is not null && !await TakeAsync())
                {
                    StoppedAtQuota = true;
                    Metric.Add(MetricNames.QuotaRefusals, 1);
                    break;
                }
                if (!batch.Fits(row, settings.Limits))
                {
                    await SendAsync(batch, scoring.Token);
                    batch = new Batch();
                    if (time.GetUtcNow() >= stopAt) return CompleteBatches(stopped: true);
                }
                batch.Add(row);
            }
            if (batch.Rows.Count > 0) await SendAsync(batch, scoring.Token);
            return CompleteBatches(stopped: false);
        }
        catch
        {
            await scoring.CancelAsync();
            throw;
        }
    }

    private bool CompleteBatches(bool stopped)
    {
        batches.Writer.Complete();
        return stopped;
    }

    /// <summary>Sends a batch to the model once a call is free, and on to the writer.</summary>
    private async Task SendAsync(Batch batch, CancellationToken scoring)
    {
        await calls.WaitAsync(scoring);
        await batches.Writer.WriteAsync((batch, ScoreAsync(batch, scoring)), scoring);
    }

    private async ValueTask<bool> TakeAsync()
    {
        var taking = allowance.TakeAsync();
        if (taking.IsCompleted) return taking.Result;
        var started = timings.Now();
        var taken = await taking;
        timings.Reserve.Add(started);
        return taken;
    }

    private async Task<IReadOnlyList<Classification>> ScoreAsync(Batch batch, CancellationToken scoring)
    {
        try
        {
            timings.Calling();
            var started = timings.Now();
            var scores = await scorer.ScoreAsync(batch, scoring);
            timings.Model.Add(started);
            return scores;
        }
        finally
        {
            calls.Release();
        }
    }

    /// <summary>
    /// The object from <paramref name="offset"/> to the declared size, only while it is the object the event named: a PUT
    /// that replaced it since (which the presigned URL refuses, but credentials need not) fails the upload instead of
    /// scoring another file.
    /// </summary>
    private async Task<GetObjectResponse> ReadObjectAsync(
        IAmazonS3 s3, UploadObject file, long offset, CancellationToken cancellationToken)
    {
        try
        {
            return await s3.GetObjectAsync(new GetObjectRequest
            {
                BucketName = settings.Bucket,
                Key = file.Key,
                EtagToMatch = $"\"{file.ETag.Trim('"')}\"",
                ByteRange = new ByteRange(offset, file.Size - 1),
            }, cancellationToken);
        }
        catch (AmazonS3Exception error)
            when (error.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound)
        {
            throw new UploadFormatException("The file was replaced or deleted while it was being scored; upload it again.");
        }
    }

    /// <summary>Writes the batches' lines in row order as their scores come; the counts now and then.</summary>
    private async Task WriteBatchesAsync(CancellationTokenSource scoring)
    {
        var cancellationToken = context.CancellationToken;
        try
        {
            await foreach (var (batch, scores) in batches.Reader.ReadAllAsync(scoring.Token))
                await WriteAsync(batch, await scores, cancellationToken);
        }
        catch
        {
            await scoring.CancelAsync();
            throw;
        }
    }

    private async Task WriteAsync(Batch batch, IReadOnlyList<Classification> classifications, CancellationToken cancellationToken)
    {
        var next = 0;
        var writing = timings.Now();
        foreach (var row in batch.Rows)
        {
            var classification = row.Text is null ? null : classifications[next++];
            await writer.WriteAsync(row, classification, cancellationToken);
            tally.Add(row, classification);
        }
        timings.Write.Add(writing);
        Metric.Add(MetricNames.RowsScored, next);
        Metric.Add(MetricNames.RowsFailed, batch.Rows.Count - next);
        written = batch.Last.Next;
        if (time.GetUtcNow() - lastProgress < TimeSpan.FromSeconds(settings.ProgressIntervalSeconds)) return;
        var progressing = timings.Now();
        await store.ProgressAsync(upload.UserSub, upload.UploadId, upload.Claim, tally, cancellationToken);
        timings.Progress.Add(progressing);
        lastProgress = time.GetUtcNow();
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static string Invariant(long number) => number.ToString("N0", CultureInfo.InvariantCulture);
}

/// <summary>The uploaded object processing reads: its key, the ETag its S3 event named, the size the upload declared.</summary>
public sealed record UploadObject(string Key, string ETag, long Size);
