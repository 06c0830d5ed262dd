using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.S3;
using Microsoft.Extensions.Logging;
using Serverless.Kernel.Aws;
using Serverless.Kernel.Events;
using Serverless.Kernel.Runtime;
using Serverless.Metering;
using Serverless.ServiceDefaults;
using Serverless.Uploads.Processing;
using Serverless.Uploads.Scoring;

namespace Serverless.Uploads;

/// <summary>
/// S3 <c>ObjectCreated</c> under <c>uploads/</c>: scores every row of the uploaded file (up to the user's monthly quota)
/// and writes <c>results/{sub}/{uploadId}.jsonl</c> (see <see cref="UploadProcessor"/>). Also takes its own
/// <see cref="ContinueUploadEvent"/>, to go on with a file its previous invocation had no time to finish. A record it
/// cannot use (another event, bucket or key shape, no such upload, a repeated delivery) is logged and skipped, never an
/// error: S3 would only deliver it again.
/// </summary>
public static class ProcessUpload
{
    public static Task<LambdaHandler> CreateHandlerAsync(ILoggerFactory loggers)
    {
        var settings = ProcessUploadSettings.FromEnvironment();
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(70) };
        var db = new AmazonDynamoDBClient();
        var table = Table.FromEnvironment();
        var processor = new UploadProcessor(
            new ProcessingStore(db, table, TimeProvider.System),
            new AmazonS3Client(),
            new BatchScorer(new SageMakerRuntimeClient(http), settings.EndpointName),
            new LambdaClient(http),
            new UsageLedger(db, table, Plan.FromEnvironment(), TimeProvider.System),
            settings, TimeProvider.System, loggers.CreateLogger(typeof(UploadProcessor)));
        var logger = loggers.CreateLogger(typeof(ProcessUpload));
        return Task.FromResult<LambdaHandler>(async (payload, context) =>
        {
            await HandleAsync(payload, processor, settings, logger, context);
            return "{}"u8.ToArray();
        });
    }

    public static async Task HandleAsync(
        byte[] payload, UploadProcessor processor, ProcessUploadSettings settings, ILogger logger, LambdaContext context)
    {
        if (JsonSerializer.Deserialize(payload, ContinuationJsonContext.Default.ContinueUploadEvent)?.ContinueUpload is { } continuation)
        {
            await processor.ContinueAsync(continuation, context);
            return;
        }
        var s3Event = JsonSerializer.Deserialize(payload, KernelJsonContext.Default.S3Event) ?? new S3Event();
        if (s3Event.IsTestEvent || s3Event.Records.Count == 0)
        {
            logger.LogInformation("No S3 records in the event ({Event}): nothing to do", s3Event.Event ?? "no Records");
            return;
        }
        foreach (var record in s3Event.Records)
        {
            var key = record.S3.Object.KeyDecoded;
            if (!record.EventName.StartsWith("ObjectCreated:", StringComparison.Ordinal) || record.S3.Bucket.Name != settings.Bucket)
            {
                logger.LogWarning("Skipping {EventName} of {Bucket}/{ObjectKey}: this function takes ObjectCreated in {Expected}",
                    record.EventName, record.S3.Bucket.Name, key, settings.Bucket);
                continue;
            }
            if (UploadFiles.ParseKey(key) is not var (userSub, uploadId))
            {
                logger.LogWarning("Skipping {ObjectKey}: not an upload key (uploads/{{sub}}/{{uploadId}}/{{fileName}})", key);
                continue;
            }
            var (size, eTag) = (record.S3.Object.Size ?? 0, record.S3.Object.ETag ?? "");
            await processor.StartAsync(userSub, uploadId, key, size, eTag, context);
        }
    }
}
