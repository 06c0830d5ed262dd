using Amazon.S3;
using Microsoft.Extensions.Logging;
using Serverless.Metering;
using Serverless.ServiceDefaults;

namespace Serverless.Uploads.Processing;

/// <summary>
/// What an invocation still owes an upload whose item was deleted under it (by <c>DELETE /uploads/{id}</c> or an
/// account's purge): no stream record of its end will settle its usage hold, and, when the whole account is gone, no one
/// else will delete what the invocation wrote after the purge.
/// </summary>
internal sealed class DeletedUploads(ProcessingStore store, IAmazonS3 s3, UsageLedger ledger, string bucket, ILogger logger)
{
    /// <summary>
    /// Settles the hold of an upload that was deleted with the <paramref name="scored"/> rows this invocation knows of.
    /// One that was taken over or ended instead is left to whoever holds it and to MeterUsage.
    /// </summary>
    public async Task SettleIfDeletedAsync(string userSub, string uploadId, string month, long scored,
        CancellationToken cancellationToken)
    {
        if (await store.GetAsync(userSub, uploadId, cancellationToken) is not null) return;
        var settlement = new UsageSettlement(userSub, month, UsageLedger.UploadSource(uploadId), 0, scored, 0, 0);
        var settled = await ledger.SettleAsync(settlement, cancellationToken);
        logger.LogInformation("Upload {UploadId} of {UserSub} was deleted: {Outcome} {Scored} scored rows into {Month}",
            uploadId, userSub, settled ? "metered" : "nothing held for", scored, month);
    }

    /// <summary>
    /// Once the upload's item is gone and its owner's account is deleted, deletes what this invocation (or a presigned PUT
    /// that came late) wrote after the account's purge listed the bucket: PurgeAccount deletes the items first and the
    /// files after, so whatever an invocation writes once its item is gone is its own to remove. That includes the
    /// month's usage item (of <paramref name="usageMonth"/>), which a reservation made after the purge would have created
    /// again.
    /// </summary>
    public async Task DeleteFilesOfDeletedAccountAsync(string userSub, string uploadId, string? usageMonth,
        CancellationToken cancellationToken)
    {
        if (await store.GetAsync(userSub, uploadId, cancellationToken) is not null
            || !await store.AccountDeletedAsync(userSub, cancellationToken)) return;
        var deleted = await UploadFiles.DeleteAsync(s3, bucket, userSub, uploadId, cancellationToken);
        if (usageMonth is not null) await store.DeleteUsageAsync(userSub, usageMonth, cancellationToken);
        logger.LogInformation("The account of {UserSub} is deleted: deleted {Objects} objects of upload {UploadId}",
            userSub, deleted, uploadId);
    }
}
