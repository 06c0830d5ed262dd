using Microsoft.Extensions.Logging;

namespace Serverless.Uploads.Processing;

/// <summary>
/// Renews the heartbeat of the upload an invocation holds every <c>interval</c> while it works, so that a batch the
/// model takes long over never looks stranded to the sweeper; the other writes of the upload renew it too. It stops
/// when disposed or when the upload is no longer held (handed on, finished, deleted). A heartbeat that fails is logged
/// and the next one tried: only one that stays away for the sweeper's whole threshold (<c>STRANDED_AFTER_SECONDS</c>,
/// several intervals) lets the sweeper end the upload FAILED (<see cref="StrandedUpload"/>).
/// </summary>
internal sealed class Heartbeat : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Task beating;

    public Heartbeat(ProcessingStore store, ClaimedUpload upload, TimeSpan interval, TimeProvider time, ILogger logger) =>
        beating = BeatAsync(store, upload, interval, time, logger);

    private async Task BeatAsync(ProcessingStore store, ClaimedUpload upload, TimeSpan interval, TimeProvider time, ILogger logger)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                try
                {
                    if (!await store.HeartbeatAsync(upload.UserSub, upload.UploadId, upload.Claim, stop.Token)) return;
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    logger.LogWarning(error, "Could not renew the heartbeat of upload {UploadId}", upload.UploadId);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await beating;
        stop.Dispose();
    }
}
