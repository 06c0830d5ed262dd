using System.Globalization;
using Microsoft.Extensions.Logging;
using Serverless.Metering;
using Serverless.ServiceDefaults;
using Serverless.Uploads.Parsing;
using Serverless.Uploads.Results;

namespace Serverless.Uploads.Processing;

/// <summary>
/// Ends the upload an invocation holds: COMPLETED once its rows are read (with a note when it stopped at the monthly
/// quota), FAILED with a reason, or left alone when it was deleted or taken over meanwhile (then settled, if deleted:
/// <see cref="DeletedUploads"/>). An upload that found the quota used up before its first scored row, or that has no
/// row the model could score, ends FAILED rather than COMPLETED.
/// </summary>
internal sealed class UploadEnd(ProcessingStore store, Plan plan, DeletedUploads deleted, TimeProvider time, ILogger logger)
{
    /// <summary>Writes the result and marks the upload COMPLETED; throws the FAILED reason when there is nothing to show.</summary>
    public async Task CompleteAsync(
        ClaimedUpload upload, Tally tally, ResultWriter writer, bool stoppedAtQuota, CancellationToken cancellationToken)
    {
        var note = CompletionNote(tally, stoppedAtQuota);
        await writer.CompleteAsync(cancellationToken);
        await store.CompleteAsync(upload.UserSub, upload.UploadId, upload.Claim, tally, upload.ResultKey, note, cancellationToken);
        logger.LogInformation("Completed upload {UploadId}: {Rows} rows, {Failed} failed, stopped at the quota: {StoppedAtQuota}",
            upload.UploadId, tally.RowsProcessed, tally.RowsFailed, stoppedAtQuota);
    }

    /// <summary>Drops the result written so far and marks the upload FAILED with <paramref name="reason"/>.</summary>
    public async Task FailAsync(
        ClaimedUpload upload, Tally tally, ResultWriter? writer, string reason, CancellationToken cancellationToken)
    {
        if (writer is not null) await writer.AbortAsync(cancellationToken);
        try
        {
            await store.FailAsync(upload.UserSub, upload.UploadId, upload.Claim, tally, reason, cancellationToken);
        }
        catch (UploadGoneException)
        {
            logger.LogInformation("Upload {UploadId} was deleted or taken over before it could be marked FAILED", upload.UploadId);
            await deleted.SettleIfDeletedAsync(upload.UserSub, upload.UploadId, upload.UsageMonth, tally.Scored,
                CancellationToken.None);
        }
    }

    /// <summary>The upload is no longer this invocation's (<see cref="UploadGoneException"/>): drops the result, settles.</summary>
    public async Task StopAsync(ClaimedUpload upload, Tally tally, ResultWriter? writer)
    {
        logger.LogInformation("Upload {UploadId} was deleted or taken over: stopping", upload.UploadId);
        if (writer is not null) await writer.AbortAsync(CancellationToken.None);
        await deleted.SettleIfDeletedAsync(upload.UserSub, upload.UploadId, upload.UsageMonth, tally.Scored,
            CancellationToken.None);
    }

    /// <summary>
    /// The note of an upload that stopped at the quota before the end of its file, null for one that read it all; throws
    /// the FAILED reason of an upload that has no scored row to show.
    /// </summary>
    private string? CompletionNote(Tally tally, bool stoppedAtQuota)
    {
        if (stoppedAtQuota && tally.Scored == 0)
            throw new QuotaUsedUpException(string.Create(CultureInfo.InvariantCulture,
                $"The {plan.Name} plan's monthly quota of {plan.MonthlyTexts:N0} texts is used up until " +
                $"{UsageItem.NextMonthStart(time.GetUtcNow()):yyyy-MM-dd} (UTC)."));
        if (tally.RowsProcessed == 0)
            throw new UploadFormatException("The file has no rows to score.");
        if (tally.RowsFailed == tally.RowsProcessed)
            throw new UploadFormatException(string.Create(CultureInfo.InvariantCulture,
                $"No row could be scored: all {tally.RowsProcessed:N0} failed ({tally.FirstError})"));
        return stoppedAtQuota
            ? string.Create(CultureInfo.InvariantCulture,
                $"Stopped at the {plan.Name} plan's monthly quota of {plan.MonthlyTexts:N0} texts after " +
                $"{tally.RowsProcessed:N0} of the file's rows; the rest were not scored.")
            : null;
    }
}

/// <summary>The user's monthly quota was used up before this upload scored a row: it fails with this reason.</summary>
public sealed class QuotaUsedUpException(string reason) : Exception(reason);
