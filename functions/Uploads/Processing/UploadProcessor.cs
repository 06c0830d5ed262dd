using System.Globalization;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Amazon.S3;
using Amazon.S3.Model;
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
/// Scores one upload within one invocation: claims it (or takes it over from the invocation that handed it on), reads its
/// rows from where the checkpoint says, scores them in batches with a few calls in flight, writes the result in row
/// order, and shows progress. It ends the upload COMPLETED or FAILED, or, when the invocation's time runs short, saves a
/// checkpoint and invokes the function again to go on. It reserves its texts on the user's usage item before it sends
/// them (<see cref="UploadAllowance"/>), in the month its claim names, so it scores no more rows than the monthly quota
/// leaves, however many uploads run at once: an upload that reaches it ends COMPLETED with the rows scored so far and a
/// note, one that finds it used up before its first scored row ends FAILED. MeterUsage settles the hold with the rows
/// scored when the upload ends COMPLETED or FAILED; an upload deleted while it runs (or between invocations) is settled
/// here, by the invocation that finds it gone.
/// <para>
/// The claim token is the invocation's request id. An error it catches ends the upload FAILED; when the invocation dies
/// instead (out of memory, killed at its timeout, a host failure) nothing is written, and Lambda retries the event with the
/// same request id: the retry claims the upload again and starts over from the file's first row, or, for a continuation,
/// takes it over again and resumes from the same checkpoint with the counts saved in it. A delivery with another request
/// id (S3's duplicate notifications) finds it held and does nothing. When every retry dies too, the event goes to the
/// function's on-failure destination, <see cref="FailStrandedUpload"/>, which ends the upload FAILED if it is still held.
/// A retry that finds the upload handed on by its own request id and not taken over sends the continuation again. While
/// it holds an upload an invocation renews its heartbeat (<see cref="Heartbeat"/>); an upload whose heartbeat stopped, with
/// no invocation left to end it, is ended FAILED by the sweeper, <see cref="SweepStrandedUploads"/>.
/// </para>
/// </summary>
public sealed class UploadProcessor(
    UploadStore store, IAmazonS3 s3, BatchScorer scorer, LambdaClient lambda, UsageLedger ledger,
    ProcessUploadSettings settings, TimeProvider time, ILogger logger)
{
    /// <summary>
    /// An uploaded file arrived (S3 ObjectCreated): claims its upload and processes exactly that object (the event's ETag),
    /// unless its size is not the one the upload declared.
    /// </summary>
    public async Task StartAsync(
        string userSub, string uploadId, string objectKey, long objectSize, string objectETag, LambdaContext context)
    {
        var claim = context.AwsRequestId;
        var item = await store.ClaimAsync(userSub, uploadId, objectKey, objectSize, objectETag, claim, context.CancellationToken);
        if (item is null)
        {
            var found = await store.GetAsync(userSub, uploadId, context.CancellationToken);
            if (await ResendIfHandedOnAsync(userSub, uploadId, found, claim, context.CancellationToken)) return;
            var status = found?.GetValueOrDefault(UploadAttribute.Status)?.S;
            logger.LogInformation("Nothing to do for {ObjectKey}: {Reason}", objectKey,
                found is null ? "there is no such upload"
                : found.GetValueOrDefault(UploadAttribute.ObjectKey)?.S != objectKey ? "the upload expects another object key"
                : status == UploadStatus.Processing ? "the upload is PROCESSING under another invocation (a repeated delivery)"
                : $"the upload is {status} already");
            await DeleteFilesOfDeletedAccountAsync(userSub, uploadId, context.CancellationToken);
            return;
        }
        logger.LogInformation("Claimed upload {UploadId} of {UserSub} ({ObjectSize} bytes)", uploadId, userSub, objectSize);
        var upload = new Upload(userSub, uploadId, item, claim);
        if (ObjectProblem(item, objectSize, objectETag) is { } problem)
        {
            logger.LogWarning("Upload {UploadId} failed: {Reason}", uploadId, problem);
            await store.FailAsync(userSub, uploadId, claim, new Tally(), problem, context.CancellationToken);
            return;
        }
        await using (Beat(upload)) await ProcessAsync(upload, null, context);
        await DeleteFilesOfDeletedAccountAsync(userSub, uploadId, context.CancellationToken, upload.UsageMonth);
    }

    /// <summary>A continuation (or a retry of one): takes the upload over with the handed-on claim and resumes at its checkpoint.</summary>
    public async Task ContinueAsync(ContinueUpload request, LambdaContext context)
    {
        var claim = context.AwsRequestId;
        var item = await store.TakeOverAsync(request.UserSub, request.UploadId, request.Claim, claim, context.CancellationToken);
        if (item is null && await ResendIfHandedOnAsync(request.UserSub, request.UploadId,
                await store.GetAsync(request.UserSub, request.UploadId, context.CancellationToken), claim, context.CancellationToken))
            return;
        if (item is null && request.UsageMonth is { } month)
            await SettleIfDeletedAsync(request.UserSub, request.UploadId, month, request.Scored,
                context.CancellationToken);
        if (item is null || Checkpoint.From(item.GetValueOrDefault(UploadAttribute.Checkpoint)) is not { } checkpoint)
        {
            logger.LogInformation("Nothing to continue for upload {UploadId}: deleted, finished, or taken over already (a repeated delivery)", request.UploadId);
            await DeleteFilesOfDeletedAccountAsync(request.UserSub, request.UploadId, context.CancellationToken,
                request.UsageMonth);
            return;
        }
        logger.LogInformation("Continuing upload {UploadId} at byte {Offset}, row {RowsRead} (invocation {Invocation})",
            request.UploadId, checkpoint.Position.Offset, checkpoint.Position.RowsRead, checkpoint.Invocations + 1);
        var upload = new Upload(request.UserSub, request.UploadId, item, claim);
        await using (Beat(upload)) await ProcessAsync(upload, checkpoint, context);
        await DeleteFilesOfDeletedAccountAsync(request.UserSub, request.UploadId, context.CancellationToken,
            upload.UsageMonth);
    }

    /// <summary>
    /// Once the upload's item is gone and its owner's account is deleted, deletes what this invocation (or a presigned PUT
    /// that came late) wrote after the account's purge listed the bucket: PurgeAccount deletes the items first and the
    /// files after, so whatever an invocation writes once its item is gone is its own to remove. That includes the
    /// month's usage item, which a reservation made after the purge would have created again.
    /// </summary>
    private async Task DeleteFilesOfDeletedAccountAsync(string userSub, string uploadId, CancellationToken cancellationToken,
        string? usageMonth = null)
    {
        if (await store.GetAsync(userSub, uploadId, cancellationToken) is not null
            || !await store.AccountDeletedAsync(userSub, cancellationToken)) return;
        var deleted = await Uploads.DeleteFilesAsync(s3, settings.Bucket, userSub, uploadId, cancellationToken);
        if (usageMonth is not null) await store.DeleteUsageAsync(userSub, usageMonth, cancellationToken);
        logger.LogInformation("The account of {UserSub} is deleted: deleted {Objects} objects of upload {UploadId}", userSub, deleted, uploadId);
    }

    private Heartbeat Beat(Upload upload) =>
        new(store, upload, TimeSpan.FromSeconds(settings.HeartbeatIntervalSeconds), time, logger);

    /// <summary>
    /// A retry of an invocation that handed the upload on (its item still names this claim in <c>handedOnBy</c>: no
    /// continuation took it over) sends the continuation again, since the attempt before may have died before Lambda
    /// accepted it. Sending it twice is harmless: only one continuation can take the handed-on claim over.
    /// </summary>
    private async Task<bool> ResendIfHandedOnAsync(string userSub, string uploadId, Dictionary<string, AttributeValue>? item, string claim,
        CancellationToken cancellationToken)
    {
        if (item?.GetValueOrDefault(UploadAttribute.HandedOnBy)?.S != claim
            || item.GetValueOrDefault(UploadAttribute.Status)?.S != UploadStatus.Processing
            || item.GetValueOrDefault(UploadAttribute.Claim)?.S is not { } handoff)
            return false;
        var scored = Checkpoint.From(item.GetValueOrDefault(UploadAttribute.Checkpoint))?.Tally is { } tally ? Scored(tally) : 0;
        await SendContinuationAsync(
            new ContinueUpload(userSub, uploadId, handoff, item.GetValueOrDefault(UploadAttribute.UsageMonth)?.S, scored), cancellationToken);
        logger.LogInformation("Upload {UploadId}: sent the continuation again (this invocation handed it on and no continuation took it over)",
            uploadId);
        return true;
    }

    private Task SendContinuationAsync(ContinueUpload continuation, CancellationToken cancellationToken) =>
        lambda.InvokeEventAsync(settings.FunctionName, JsonSerializer.SerializeToUtf8Bytes(
            new ContinueUploadEvent(continuation), ProcessUploadJsonContext.Default.ContinueUploadEvent),
            cancellationToken);

    private async Task ProcessAsync(Upload upload, Checkpoint? from, LambdaContext context)
    {
        var cancellationToken = context.CancellationToken;
        var tally = from?.Tally ?? new Tally();
        ResultWriter? writer = null;
        try
        {
            var format = UploadFormats.Parse(upload.Item.GetValueOrDefault(UploadAttribute.Format)?.S)
                ?? throw new UploadFormatException($"The upload's format '{upload.Item.GetValueOrDefault(UploadAttribute.Format)?.S}' is not csv, jsonl or text.");
            writer = await ResultWriter.OpenAsync(s3, settings.Bucket, upload.ResultKey, upload.CarryKey, from, cancellationToken);
            var allowance = await UploadAllowance.OpenAsync(
                ledger, upload.UserSub, upload.UploadId, upload.UsageMonth, Scored(tally), cancellationToken);
            var run = new ScoringRun(upload, tally, writer, scorer, store, settings, time, context, allowance);
            var position = await run.RunAsync(format, from?.Position ?? ReaderPosition.Start, ObjectOf(upload), s3);
            if (position is not null)
            {
                // Not cancelled by the invocation's token: the margin was kept for this, and a hand-on cut short strands the upload.
                await HandOnAsync(upload, tally, writer, position, from, CancellationToken.None);
                return;
            }
            var plan = ledger.Plan;
            if (run.StoppedAtQuota && Scored(tally) == 0)
                throw new QuotaUsedUpException(string.Create(CultureInfo.InvariantCulture,
                    $"The {plan.Name} plan's monthly quota of {plan.MonthlyTexts:N0} texts is used up until " +
                    $"{UsageItem.NextMonthStart(time.GetUtcNow()):yyyy-MM-dd} (UTC)."));
            if (tally.RowsProcessed == 0)
                throw new UploadFormatException("The file has no rows to score.");
            if (tally.RowsFailed == tally.RowsProcessed)
                throw new UploadFormatException(string.Create(CultureInfo.InvariantCulture,
                    $"No row could be scored: all {tally.RowsProcessed:N0} failed ({tally.FirstError})"));
            var note = run.StoppedAtQuota
                ? string.Create(CultureInfo.InvariantCulture,
                    $"Stopped at the {plan.Name} plan's monthly quota of {plan.MonthlyTexts:N0} texts after " +
                    $"{tally.RowsProcessed:N0} of the file's rows; the rest were not scored.")
                : null;
            await writer.CompleteAsync(cancellationToken);
            await store.CompleteAsync(upload.UserSub, upload.UploadId, upload.Claim, tally, upload.ResultKey, note, cancellationToken);
            logger.LogInformation("Completed upload {UploadId}: {Rows} rows, {Failed} failed, stopped at the quota: {StoppedAtQuota}",
                upload.UploadId, tally.RowsProcessed, tally.RowsFailed, run.StoppedAtQuota);
        }
        catch (Exception error) when (error is UploadFormatException or ScoringException or QuotaUsedUpException)
        {
            logger.LogWarning("Upload {UploadId} failed: {Reason}", upload.UploadId, error.Message);
            var reason = error is ScoringException scoring ? scoring.Reason(context.AwsRequestId) : error.Message;
            await FailAsync(upload, tally, writer, reason, cancellationToken);
        }
        catch (UploadGoneException)
        {
            logger.LogInformation("Upload {UploadId} was deleted or taken over: stopping", upload.UploadId);
            if (writer is not null) await writer.AbortAsync(CancellationToken.None);
            await SettleIfDeletedAsync(upload.UserSub, upload.UploadId, upload.UsageMonth, Scored(tally),
                CancellationToken.None);
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogError(error, "Upload {UploadId} stopped on an unexpected error", upload.UploadId);
            await FailAsync(upload, tally, writer,
                $"Processing stopped on an internal error (request {context.AwsRequestId}); upload the file again.", CancellationToken.None);
            throw;
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

    /// <summary>The object the claim named: its key, its ETag and the declared size (which the claim checked it has).</summary>
    private static UploadObject ObjectOf(Upload upload) => new(
        upload.Item[UploadAttribute.ObjectKey].S, upload.Item[UploadAttribute.ObjectETag].S,
        NumberAttribute.Read(upload.Item[UploadAttribute.DeclaredSize]));

    /// <summary>Saves the checkpoint and hands the claim on to a new invocation of this function.</summary>
    private async Task HandOnAsync(Upload upload, Tally tally, ResultWriter writer, ReaderPosition position, Checkpoint? from,
        CancellationToken cancellationToken)
    {
        var number = (from?.Invocations ?? 0) + 1;
        var (multipartUploadId, parts, carryBytes) = await writer.CarryAsync(number, cancellationToken);
        var checkpoint = new Checkpoint(position, multipartUploadId, parts, carryBytes, tally, number);
        var handoff = Guid.NewGuid().ToString("N");
        await store.CheckpointAsync(upload.UserSub, upload.UploadId, upload.Claim, tally, checkpoint, handoff, cancellationToken);
        try
        {
            await SendContinuationAsync(
                new ContinueUpload(upload.UserSub, upload.UploadId, handoff, upload.UsageMonth, Scored(tally)), cancellationToken);
        }
        catch (Exception error) when (error is AwsServiceException or HttpRequestException or OperationCanceledException)
        {
            logger.LogError(error, "Could not invoke {FunctionName} to continue upload {UploadId}", settings.FunctionName, upload.UploadId);
            await FailAsync(upload with { Claim = handoff }, tally, writer,
                string.Create(CultureInfo.InvariantCulture,
                    $"Processing stopped after row {position.RowsRead:N0}: it could not be handed on (request {upload.Claim}); upload the file again."),
                CancellationToken.None);
            return;
        }
        logger.LogInformation("Upload {UploadId}: handed on at byte {Offset}, row {RowsRead}", upload.UploadId, position.Offset, position.RowsRead);
    }

    private async Task FailAsync(Upload upload, Tally tally, ResultWriter? writer, string reason, CancellationToken cancellationToken)
    {
        if (writer is not null) await writer.AbortAsync(cancellationToken);
        try
        {
            await store.FailAsync(upload.UserSub, upload.UploadId, upload.Claim, tally, reason, cancellationToken);
        }
        catch (UploadGoneException)
        {
            logger.LogInformation("Upload {UploadId} was deleted or taken over before it could be marked FAILED", upload.UploadId);
            await SettleIfDeletedAsync(upload.UserSub, upload.UploadId, upload.UsageMonth, Scored(tally),
                CancellationToken.None);
        }
    }

    /// <summary>
    /// Settles the hold of an upload that was deleted with the <paramref name="scored"/> rows this invocation knows of:
    /// no stream record of its end will. One that was taken over or ended instead is left to whoever holds it and to
    /// MeterUsage.
    /// </summary>
    private async Task SettleIfDeletedAsync(string userSub, string uploadId, string month, long scored,
        CancellationToken cancellationToken)
    {
        if (await store.GetAsync(userSub, uploadId, cancellationToken) is not null) return;
        var settlement = new UsageSettlement(userSub, month, UsageLedger.UploadSource(uploadId), 0, scored, 0, 0);
        var settled = await ledger.SettleAsync(settlement, cancellationToken);
        logger.LogInformation("Upload {UploadId} of {UserSub} was deleted: {Outcome} {Scored} scored rows into {Month}",
            uploadId, userSub, settled ? "metered" : "nothing held for", scored, month);
    }

    private static long Scored(Tally tally) => tally.RowsProcessed - tally.RowsFailed;
}

/// <summary>The user's monthly quota was used up before this upload scored a row: it fails with this reason.</summary>
public sealed class QuotaUsedUpException(string reason) : Exception(reason);

/// <summary>The upload being processed: its item as claimed and the claim token this invocation holds.</summary>
public sealed record Upload(string UserSub, string UploadId, Dictionary<string, AttributeValue> Item, string Claim)
{
    /// <summary>The month whose quota the upload's claim chose: its reservations and its settlement go there.</summary>
    public string UsageMonth => Item[UploadAttribute.UsageMonth].S;

    public string ResultKey => UploadItem.ResultKey(UserSub, UploadId);
    public string CarryKey(int checkpoint) => UploadItem.CarryKey(UserSub, UploadId, checkpoint);
}
