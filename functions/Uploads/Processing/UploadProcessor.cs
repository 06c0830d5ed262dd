using System.Globalization;
using Amazon.DynamoDBv2.Model;
using Amazon.S3;
using Microsoft.Extensions.Logging;
using Serverless.Kernel.Aws;
using Serverless.Kernel.Runtime;
using Serverless.Metering;
using Serverless.ServiceDefaults;
using Serverless.Uploads.Parsing;
using Serverless.Uploads.Results;
using Serverless.Uploads.Scoring;

namespace Serverless.Uploads.Processing;

/// <summary>
/// Scores one upload within one invocation: claims it (<see cref="ProcessingStore.ClaimAsync"/>) or takes it over from
/// the invocation that handed it on (<see cref="HandOn"/>), reads its rows from where the checkpoint says and scores them
/// (<see cref="ScoringRun"/>) while it renews its <see cref="Heartbeat"/>, then ends it (<see cref="UploadEnd"/>) or,
/// when the invocation's time runs short, hands it on. It reserves its texts on the user's usage item before it sends
/// them (<see cref="UploadAllowance"/>), in the month its claim names, so it scores no more rows than the monthly quota
/// leaves, however many uploads run at once. MeterUsage settles the hold with the rows scored when the upload ends
/// COMPLETED or FAILED; an upload deleted while it runs is settled here (<see cref="DeletedUploads"/>).
/// </summary>
public sealed class UploadProcessor
{
    private readonly ProcessingStore store;
    private readonly IAmazonS3 s3;
    private readonly BatchScorer scorer;
    private readonly UsageLedger ledger;
    private readonly ProcessUploadSettings settings;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly DeletedUploads deleted;
    private readonly UploadEnd end;
    private readonly HandOn handOn;

    public UploadProcessor(ProcessingStore store, IAmazonS3 s3, BatchScorer scorer, LambdaClient lambda, UsageLedger ledger,
        ProcessUploadSettings settings, TimeProvider time, ILogger logger)
    {
        (this.store, this.s3, this.scorer, this.ledger, this.settings, this.time, this.logger) =
            (store, s3, scorer, ledger, settings, time, logger);
        deleted = new DeletedUploads(store, s3, ledger, settings.Bucket, logger);
        end = new UploadEnd(store, ledger.Plan, deleted, time, logger);
        handOn = new HandOn(store, lambda, settings.FunctionName, end, logger);
    }

    /// <summary>
    /// An uploaded file arrived (S3 ObjectCreated): claims its upload and processes exactly that object (the event's ETag),
    /// unless its size is not the one the upload declared.
    /// </summary>
    public async Task StartAsync(
        string userSub, string uploadId, string objectKey, long objectSize, string objectETag, LambdaContext context)
    {
        var (claim, timings) = (context.AwsRequestId, new RunTimings(time));
        var item = await store.ClaimAsync(userSub, uploadId, objectKey, objectSize, objectETag, claim, context.CancellationToken);
        timings.Claimed();
        if (item is null)
        {
            await NothingToStartAsync(userSub, uploadId, objectKey, claim, context.CancellationToken);
            return;
        }
        logger.LogInformation("Claimed upload {UploadId} of {UserSub} ({ObjectSize} bytes)", uploadId, userSub, objectSize);
        if (ObjectProblem(item, objectSize, objectETag) is { } problem)
        {
            logger.LogWarning("Upload {UploadId} failed: {Reason}", uploadId, problem);
            await store.FailAsync(userSub, uploadId, claim, new Tally(), problem, context.CancellationToken);
            return;
        }
        await RunAsync(new ClaimedUpload(userSub, uploadId, item, claim), null, context, timings);
    }

    /// <summary>
    /// A continuation (or a retry of one): takes the upload over with the handed-on claim and resumes at its checkpoint.
    /// </summary>
    public async Task ContinueAsync(ContinueUpload request, LambdaContext context)
    {
        var (userSub, uploadId, claim) = (request.UserSub, request.UploadId, context.AwsRequestId);
        var (cancellationToken, timings) = (context.CancellationToken, new RunTimings(time));
        var item = await store.TakeOverAsync(userSub, uploadId, request.Claim, claim, cancellationToken);
        timings.Claimed();
        if (item is null)
        {
            var found = await store.GetAsync(userSub, uploadId, cancellationToken);
            if (await handOn.ResendIfHandedOnAsync(userSub, uploadId, found, claim, cancellationToken)) return;
            if (request.UsageMonth is { } month)
                await deleted.SettleIfDeletedAsync(userSub, uploadId, month, request.Scored, cancellationToken);
        }
        if (item is null || Checkpoint.From(item.GetValueOrDefault(UploadAttribute.Checkpoint)) is not { } checkpoint)
        {
            logger.LogInformation(
                "Nothing to continue for upload {UploadId}: deleted, finished, or taken over already (a repeated delivery)", uploadId);
            await deleted.DeleteFilesOfDeletedAccountAsync(userSub, uploadId, request.UsageMonth, cancellationToken);
            return;
        }
        logger.LogInformation("Continuing upload {UploadId} at byte {Offset}, row {RowsRead} (invocation {Invocation})",
            uploadId, checkpoint.Position.Offset, checkpoint.Position.RowsRead, checkpoint.Result.Number + 1);
        await RunAsync(new ClaimedUpload(userSub, uploadId, item, claim), checkpoint, context, timings);
    }

    /// <summary>Why a claim found nothing to start, unless it was this invocation's own hand-on (sent again then).</summary>
    private async Task NothingToStartAsync(
        string userSub, string uploadId, string objectKey, string claim, CancellationToken cancellationToken)
    {
        var found = await store.GetAsync(userSub, uploadId, cancellationToken);
        if (await handOn.ResendIfHandedOnAsync(userSub, uploadId, found, claim, cancellationToken)) return;
        var status = found?.GetValueOrDefault(UploadAttribute.Status)?.S;
        logger.LogInformation("Nothing to do for {ObjectKey}: {Reason}", objectKey,
            found is null ? "there is no such upload"
            : found.GetValueOrDefault(UploadAttribute.ObjectKey)?.S != objectKey ? "the upload expects another object key"
            : status == UploadStatus.Processing ? "the upload is PROCESSING under another invocation (a repeated delivery)"
            : $"the upload is {status} already");
        await deleted.DeleteFilesOfDeletedAccountAsync(userSub, uploadId, null, cancellationToken);
    }

    /// <summary>Processes the upload this invocation holds with its heartbeat renewed, from <paramref name="from"/> on.</summary>
    private async Task RunAsync(ClaimedUpload upload, Checkpoint? from, LambdaContext context, RunTimings timings)
    {
        await using (new Heartbeat(store, upload, TimeSpan.FromSeconds(settings.HeartbeatIntervalSeconds), time, logger))
            await ProcessAsync(upload, from, context, timings);
        await deleted.DeleteFilesOfDeletedAccountAsync(upload.UserSub, upload.UploadId, upload.UsageMonth, context.CancellationToken);
    }

    /// <summary>
    /// Scores what this invocation has time for, then completes the upload or hands it on; an error it knows ends the
    /// upload FAILED with its reason, an unexpected one with a general reason (and is thrown again for the log).
    /// </summary>
    private async Task ProcessAsync(ClaimedUpload upload, Checkpoint? from, LambdaContext context, RunTimings timings)
    {
        var cancellationToken = context.CancellationToken;
        var tally = from?.Tally ?? new Tally();
        var rowsBefore = tally.RowsProcessed;
        ResultWriter? writer = null;
        try
        {
            var format = upload.ReadFormat();
            writer = await ResultWriter.OpenAsync(s3, settings.Bucket, upload.ResultKey, upload.CarryKey, from?.Result, cancellationToken);
            var allowance = await UploadAllowance.OpenAsync(
                ledger, upload.UserSub, upload.UploadId, upload.UsageMonth, tally.Scored, cancellationToken);
            var run = new ScoringRun(upload, tally, writer, scorer, store, settings, time, context, allowance, timings);
            var position = await run.RunAsync(format, from?.Position ?? ReaderPosition.Start, upload.Object, s3);
            timings.Scored();
            if (position is null)
                await end.CompleteAsync(upload, tally, writer, run.StoppedAtQuota, cancellationToken);
            else // Not cancelled by the invocation's token: the margin was kept for this, and a hand-on cut short strands the upload.
                await handOn.HandOnAsync(upload, tally, writer, position, from, CancellationToken.None);
        }
        catch (Exception error) when (error is UploadFormatException or ScoringException or QuotaUsedUpException)
        {
            logger.LogWarning("Upload {UploadId} failed: {Reason}", upload.UploadId, error.Message);
            var reason = error is ScoringException scoring ? scoring.Reason(context.AwsRequestId) : error.Message;
            await end.FailAsync(upload, tally, writer, reason, cancellationToken);
        }
        catch (UploadGoneException)
        {
            await end.StopAsync(upload, tally, writer);
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogError(error, "Upload {UploadId} stopped on an unexpected error", upload.UploadId);
            var reason = $"Processing stopped on an internal error (request {context.AwsRequestId}); upload the file again.";
            await end.FailAsync(upload, tally, writer, reason, CancellationToken.None);
            throw;
        }
        finally
        {
            timings.Log(logger, upload.UploadId, tally.RowsProcessed - rowsBefore);
        }
    }

    /// <summary>Why the object that arrived cannot be processed as the upload declared it; null when it can.</summary>
    private string? ObjectProblem(Dictionary<string, AttributeValue> item, long objectSize, string objectETag)
    {
        if (item.GetValueOrDefault(UploadAttribute.DeclaredSize)?.N is null)
            return "The upload declared no file size, so its file cannot be checked; "
                + "create the upload again with POST /uploads.";
        var declared = NumberAttribute.Read(item[UploadAttribute.DeclaredSize]);
        if (objectSize != declared)
            return string.Create(CultureInfo.InvariantCulture, $"The file has {objectSize:N0} bytes, but the upload declared "
                + $"{declared:N0}; create an upload for this file and upload it again.");
        if (objectETag.Length == 0)
            return "The file's upload event named no object version (ETag), so the file cannot be read safely; "
                + "upload it again.";
        if (objectSize > settings.MaxUploadBytes)
            return string.Create(CultureInfo.InvariantCulture,
                $"The file has {objectSize:N0} bytes; at most {settings.MaxUploadBytes:N0} can be processed.");
        return null;
    }
}
