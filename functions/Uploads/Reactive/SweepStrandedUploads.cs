using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.S3;
using Microsoft.Extensions.Logging;
using Serverless.Kernel.Runtime;
using Serverless.ServiceDefaults;
using Serverless.Uploads.Processing;

namespace Serverless.Uploads;

/// <summary>
/// The sweeper, run on a schedule (an EventBridge Scheduled Event, whose content it does not need): every upload still
/// PROCESSING whose <see cref="Heartbeat"/> is older than <c>STRANDED_AFTER_SECONDS</c> has no live invocation and
/// nothing else will end it, for example when an invocation died after handing its claim on but before Lambda accepted
/// the continuation. Each ends FAILED with a reason (<see cref="StrandedUpload"/>), unless its heartbeat was renewed
/// meanwhile: a live invocation wins.
/// </summary>
public static class SweepStrandedUploads
{
    public static Task<LambdaHandler> CreateHandlerAsync(ILoggerFactory loggers)
    {
        var store = new ProcessingStore(new AmazonDynamoDBClient(), Table.FromEnvironment(), TimeProvider.System);
        var s3 = new AmazonS3Client();
        var bucket = FunctionEnvironment.Required("BUCKET_NAME");
        var strandedAfter = TimeSpan.FromSeconds(
            int.Parse(FunctionEnvironment.Required("STRANDED_AFTER_SECONDS"), CultureInfo.InvariantCulture));
        var logger = loggers.CreateLogger(typeof(SweepStrandedUploads));
        return Task.FromResult<LambdaHandler>(async (_, context) =>
        {
            await SweepAsync(store, s3, bucket, strandedAfter, TimeProvider.System, logger, context.CancellationToken);
            return "{}"u8.ToArray();
        });
    }

    /// <summary>Ends the stranded uploads FAILED; answers how many it ended.</summary>
    public static async Task<int> SweepAsync(ProcessingStore store, IAmazonS3 s3, string bucket, TimeSpan strandedAfter,
        TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var before = time.GetUtcNow() - strandedAfter;
        var reason = string.Create(CultureInfo.InvariantCulture,
            $"Processing stopped unexpectedly: it made no progress for {strandedAfter.TotalMinutes:0.#} minutes; upload the file again.");
        var stale = await store.HeartbeatBeforeAsync(before, cancellationToken);
        var failed = 0;
        foreach (var (userSub, uploadId) in stale)
        {
            // The index lags the table: the item itself says whether it is still PROCESSING.
            var item = await store.GetAsync(userSub, uploadId, cancellationToken);
            if (item?.GetValueOrDefault(UploadAttribute.Status)?.S != UploadStatus.Processing || !item.ContainsKey(UploadAttribute.Claim))
                continue;
            if (await StrandedUpload.FailAsync(store, s3, bucket, userSub, uploadId, item, reason, before, logger, cancellationToken))
                failed++;
        }
        logger.LogInformation("Swept uploads with no heartbeat since {Before}: {Found} found, {Failed} ended FAILED",
            Timestamp.Of(before), stale.Count, failed);
        return failed;
    }
}
