using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.S3;
using Microsoft.Extensions.Logging;
using Serverless.Kernel.Events;
using Serverless.Kernel.Runtime;
using Serverless.ServiceDefaults;
using Serverless.Uploads.Processing;

namespace Serverless.Uploads;

/// <summary>
/// ProcessUpload's on-failure destination: Lambda sends it the invocation record (<see cref="LambdaDestinationEvent"/>)
/// of an event whose every attempt died or that grew too old to be run again (<see cref="ProcessingStore.ClaimAsync"/>),
/// and it ends the upload that invocation held FAILED (<see cref="StrandedUpload"/>). The upload is the S3 event's (each
/// record's key) or the continuation's. The invocation held it when it is still PROCESSING under the failed request id
/// (an S3 start, or a continuation that had taken it over) or, for a continuation, under the handed-on claim of its
/// payload (one that died before taking over). An upload that moved on (completed, failed, deleted, held by another
/// invocation) or that does not exist is left alone with a log line, never an error: Lambda would only send the record
/// again.
/// </summary>
public static class FailStrandedUpload
{
    public static Task<LambdaHandler> CreateHandlerAsync(ILoggerFactory loggers)
    {
        var store = new ProcessingStore(new AmazonDynamoDBClient(), Table.FromEnvironment(), TimeProvider.System);
        var s3 = new AmazonS3Client();
        var bucket = FunctionEnvironment.Required("BUCKET_NAME");
        var logger = loggers.CreateLogger(typeof(FailStrandedUpload));
        return Task.FromResult<LambdaHandler>(async (payload, context) =>
        {
            await HandleAsync(payload, store, s3, bucket, logger, context);
            return "{}"u8.ToArray();
        });
    }

    public static async Task HandleAsync(
        byte[] payload, ProcessingStore store, IAmazonS3 s3, string bucket, ILogger logger, LambdaContext context)
    {
        var record = JsonSerializer.Deserialize(payload, KernelJsonContext.Default.LambdaDestinationEvent);
        if (record is not { RequestContext.RequestId.Length: > 0, RequestPayload.ValueKind: JsonValueKind.Object })
        {
            logger.LogWarning("Not an invocation record with a request id and an event: nothing to do");
            return;
        }
        var failed = record.RequestContext;
        logger.LogInformation("Invocation {FailedRequestId} of {FunctionArn} gave up ({Condition} after {Attempts} attempts): {Response}",
            failed.RequestId, failed.FunctionArn, failed.Condition, failed.ApproximateInvokeCount,
            record.ResponsePayload?.GetRawText() ?? "no response");
        var reason = failed.Condition == LambdaDestinationEvent.EventAgeExceeded
            ? $"Processing stopped: it could not be resumed in time (request {failed.RequestId}); upload the file again."
            : $"Processing stopped: every attempt to process the file failed (request {failed.RequestId}); upload the file again.";
        foreach (var (userSub, uploadId, claims) in HeldUploads(record.RequestPayload, failed.RequestId))
            await FailIfHeldAsync(userSub, uploadId, claims, reason, store, s3, bucket, logger, context.CancellationToken);
    }

    /// <summary>The uploads the failed invocation's event names, each with the claims it may have held it under.</summary>
    private static IEnumerable<(string UserSub, string UploadId, string[] Claims)> HeldUploads(
        JsonElement request, string requestId)
    {
        if (request.Deserialize(ContinuationJsonContext.Default.ContinueUploadEvent)?.ContinueUpload is { } continuation)
            return [(continuation.UserSub, continuation.UploadId, [requestId, continuation.Claim])];
        return (request.Deserialize(KernelJsonContext.Default.S3Event)?.Records ?? [])
            .Select(s3Record => UploadFiles.ParseKey(s3Record.S3.Object.KeyDecoded))
            .OfType<(string UserSub, string UploadId)>()
            .Select(upload => (upload.UserSub, upload.UploadId, new[] { requestId }));
    }

    private static async Task FailIfHeldAsync(string userSub, string uploadId, string[] claims, string reason,
        ProcessingStore store, IAmazonS3 s3, string bucket, ILogger logger, CancellationToken cancellationToken)
    {
        var item = await store.GetAsync(userSub, uploadId, cancellationToken);
        var status = item?.GetValueOrDefault(UploadAttribute.Status)?.S;
        if (item?.GetValueOrDefault(UploadAttribute.Claim)?.S is not { } claim
            || status != UploadStatus.Processing || !claims.Contains(claim))
        {
            logger.LogInformation("Leaving upload {UploadId} of {UserSub} alone: {Reason}", uploadId, userSub,
                item is null ? "there is no such upload"
                : status != UploadStatus.Processing ? $"it is {status}"
                : "it is PROCESSING under another invocation");
            return;
        }
        await StrandedUpload.FailAsync(store, s3, bucket, userSub, uploadId, item, reason, null, logger, cancellationToken);
    }
}
