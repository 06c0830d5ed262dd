using Amazon.DynamoDBv2.Model;
using Amazon.S3;
using Microsoft.Extensions.Logging;
using Serverless.Uploads.Results;

namespace Serverless.Uploads.Processing;

/// <summary>
/// Ends FAILED an upload that no invocation will go on with, for ProcessUpload's on-failure destination
/// (<c>FailStrandedUpload</c>, when every attempt of an invocation died) and the sweeper (<c>SweepStrandedUploads</c>,
/// when its <see cref="Heartbeat"/> stopped): with the counts it reached and a reason, then drops the result's multipart
/// upload and carried parts its checkpoint names. The FAILED write comes first and is conditional (still held under the
/// claim it was read with; for the sweeper, still with a stale heartbeat), so parts a live invocation still writes are
/// never dropped; parts a failed drop leaves behind go with the bucket's lifecycle rules.
/// </summary>
public static class StrandedUpload
{
    /// <summary>Ends <paramref name="item"/>, read as PROCESSING, FAILED; false when it moved on or went first.</summary>
    public static async Task<bool> FailAsync(ProcessingStore store, IAmazonS3 s3, string bucket, string userSub, string uploadId,
        Dictionary<string, AttributeValue> item, string reason, DateTimeOffset? heartbeatBefore, ILogger logger,
        CancellationToken cancellationToken)
    {
        try
        {
            var claim = item[UploadAttribute.Claim].S;
            await store.FailAsync(userSub, uploadId, claim, Tally.From(item), reason, heartbeatBefore, cancellationToken);
        }
        catch (UploadGoneException)
        {
            logger.LogInformation("Upload {UploadId} was deleted or moved on before it could be marked FAILED", uploadId);
            return false;
        }
        logger.LogWarning("Upload {UploadId} of {UserSub} FAILED: {Reason}", uploadId, userSub, reason);
        if (Checkpoint.From(item.GetValueOrDefault(UploadAttribute.Checkpoint)) is { } checkpoint)
            await ResultWriter.DiscardAsync(s3, bucket, UploadItem.ResultKey(userSub, uploadId),
                number => UploadItem.CarryKey(userSub, uploadId, number), checkpoint.Result, cancellationToken);
        return true;
    }
}
