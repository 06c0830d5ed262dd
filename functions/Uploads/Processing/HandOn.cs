using System.Globalization;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;
using Serverless.Kernel.Aws;
using Serverless.Uploads.Parsing;
using Serverless.Uploads.Results;

namespace Serverless.Uploads.Processing;

/// <summary>
/// Hands an upload on to a new invocation when this one's time runs short. It saves the checkpoint and, in the same
/// conditional write, swaps its claim for a new token, the hand-off, that only the continuation it then sends itself
/// (<see cref="ContinueUploadEvent"/>) brings. The continuing invocation swaps the hand-off for its own request id
/// (<see cref="ProcessingStore.TakeOverAsync"/>), so a repeated delivery (another request id) finds nothing to do, while
/// Lambda's retry of that invocation (the same request id) takes the upload up again at the same checkpoint. The item
/// names the invocation that handed it on (<c>handedOnBy</c>) until a continuation takes it over: a retry of that
/// invocation, which finds its upload handed on by itself, sends the continuation again
/// (<see cref="ResendIfHandedOnAsync"/>), since the attempt before may have died before Lambda accepted it.
/// </summary>
internal sealed class HandOn(ProcessingStore store, LambdaClient lambda, string functionName, UploadEnd end, ILogger logger)
{
    /// <summary>
    /// Carries the result's unfinished part, saves the checkpoint at <paramref name="position"/> with the claim handed on,
    /// and sends the continuation; an upload whose continuation cannot be sent ends FAILED.
    /// </summary>
    public async Task HandOnAsync(ClaimedUpload upload, Tally tally, ResultWriter writer, ReaderPosition position,
        Checkpoint? from, CancellationToken cancellationToken)
    {
        var number = (from?.Result.Number ?? 0) + 1;
        var checkpoint = new Checkpoint(position, await writer.CarryAsync(number, cancellationToken), tally);
        var handoff = Guid.NewGuid().ToString("N");
        await store.CheckpointAsync(upload.UserSub, upload.UploadId, upload.Claim, tally, checkpoint, handoff, cancellationToken);
        try
        {
            await SendAsync(
                new ContinueUpload(upload.UserSub, upload.UploadId, handoff, upload.UsageMonth, tally.Scored), cancellationToken);
        }
        catch (Exception error) when (error is AwsServiceException or HttpRequestException or OperationCanceledException)
        {
            logger.LogError(error, "Could not invoke {FunctionName} to continue upload {UploadId}", functionName, upload.UploadId);
            var row = position.RowsRead.ToString("N0", CultureInfo.InvariantCulture);
            await end.FailAsync(upload with { Claim = handoff }, tally, writer,
                $"Processing stopped after row {row}: it could not be handed on (request {upload.Claim}); upload the file again.",
                CancellationToken.None);
            return;
        }
        logger.LogInformation("Upload {UploadId}: handed on at byte {Offset}, row {RowsRead}",
            upload.UploadId, position.Offset, position.RowsRead);
    }

    /// <summary>
    /// Sends the continuation again when <paramref name="item"/> is still handed on by <paramref name="claim"/> (a retry of
    /// the invocation that handed it on, and no continuation took it over); false, sending nothing, otherwise. Sending it
    /// twice is harmless: only one continuation can take the hand-off over.
    /// </summary>
    public async Task<bool> ResendIfHandedOnAsync(string userSub, string uploadId, Dictionary<string, AttributeValue>? item,
        string claim, CancellationToken cancellationToken)
    {
        if (item?.GetValueOrDefault(UploadAttribute.HandedOnBy)?.S != claim
            || item.GetValueOrDefault(UploadAttribute.Status)?.S != UploadStatus.Processing
            || item.GetValueOrDefault(UploadAttribute.Claim)?.S is not { } handoff)
            return false;
        var scored = Checkpoint.From(item.GetValueOrDefault(UploadAttribute.Checkpoint))?.Tally.Scored ?? 0;
        var month = item.GetValueOrDefault(UploadAttribute.UsageMonth)?.S;
        await SendAsync(new ContinueUpload(userSub, uploadId, handoff, month, scored), cancellationToken);
        logger.LogInformation(
            "Upload {UploadId}: sent the continuation again (this invocation handed it on and no continuation took it over)",
            uploadId);
        return true;
    }

    private Task SendAsync(ContinueUpload continuation, CancellationToken cancellationToken) =>
        lambda.InvokeEventAsync(functionName, JsonSerializer.SerializeToUtf8Bytes(
            new ContinueUploadEvent(continuation), ContinuationJsonContext.Default.ContinueUploadEvent),
            cancellationToken);
}
