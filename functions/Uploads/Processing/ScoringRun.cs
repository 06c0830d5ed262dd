using System.Globalization;
using System.Net;
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
/// One invocation's share of an upload: reads rows from a position into batches, keeps up to
/// <see cref="ProcessUploadSettings.MaxInFlight"/> batches being scored, writes each batch's lines once all before it are
/// written, and updates the counts now and then. It stops taking new batches when the invocation's safety margin is
/// reached; batches still being scored then get until half the margin is left, and one that does not finish is read
/// again by the next invocation. It also stops, for good, before the first text its <see cref="UploadAllowance"/>
/// cannot reserve within the user's monthly quota: <see cref="StoppedAtQuota"/>. Only the batches in flight and the
/// result's part buffer are held in memory.
/// </summary>
internal sealed class ScoringRun(
    ClaimedUpload upload, Tally tally, ResultWriter writer, BatchScorer scorer, ProcessingStore store, ProcessUploadSettings settings,
    TimeProvider time, LambdaContext context, UploadAllowance allowance, RunTimings timings)
{
    private readonly Queue<(Batch Batch, Task<IReadOnlyList<Classification>> Scores)> inFlight = new();
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
        using var scoring = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        scoring.CancelAfter(Max(TimeSpan.Zero, context.Deadline - margin / 2 - time.GetUtcNow()));
        try
        {
            var stopped = from.Offset < file.Size
                && await ReadBatchesAsync(format, from, file, s3, context.Deadline - margin, scoring.Token);
            while (inFlight.Count > 0) await WriteOldestAsync(cancellationToken);
            return stopped ? written : null;
        }
        catch (OperationCanceledException) when (scoring.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // A batch did not finish within the margin: the next invocation reads it again.
            return written;
        }
        finally
        {
            await scoring.CancelAsync();
            while (inFlight.TryDequeue(out var abandoned))
                await abandoned.Scores.ContinueWith(
                    static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// Reads rows from <paramref name="from"/> into batches and sends each full one to be scored with
    /// <paramref name="scoring"/>, writing the oldest while too many are in flight; true when it stopped taking batches at
    /// <paramref name="stopAt"/>, false at the end of the file or the quota (the last batch sent too).
    /// </summary>
    private async Task<bool> ReadBatchesAsync(
        UploadFormat format, ReaderPosition from, UploadObject file, IAmazonS3 s3, DateTimeOffset stopAt, CancellationToken scoring)
    {
        var cancellationToken = context.CancellationToken;
        using var response = await ReadObjectAsync(s3, file, from.Offset, cancellationToken);
        var batch = new Batch();
        await using var rows = RowReader.ReadAsync(response.ResponseStream, format, from, cancellationToken)
            .GetAsyncEnumerator(cancellationToken);
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
                inFlight.Enqueue((batch, ScoreAsync(batch, scoring)));
                batch = new Batch();
                while (inFlight.Count >= settings.MaxInFlight) await WriteOldestAsync(cancellationToken);
                if (time.GetUtcNow() >= stopAt) return true;
            }
            batch.Add(row);
        }
        if (batch.Rows.Count > 0) inFlight.Enqueue((batch, ScoreAsync(batch, scoring)));
        return false;
    }

    private async ValueTask<bool> TakeAsync()
    {
        var taking = allowance.TakeAsync(context.CancellationToken);
        if (taking.IsCompleted) return taking.Result;
        var started = timings.Now();
        var taken = await taking;
        timings.Reserve.Add(started);
        return taken;
    }

    private async Task<IReadOnlyList<Classification>> ScoreAsync(Batch batch, CancellationToken scoring)
    {
        timings.Calling();
        var started = timings.Now();
        var scores = await scorer.ScoreAsync(batch, scoring);
        timings.Model.Add(started);
        return scores;
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

    private async Task WriteOldestAsync(CancellationToken cancellationToken)
    {
        var (batch, scores) = inFlight.Peek();
        var classifications = await scores;
        inFlight.Dequeue();
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
