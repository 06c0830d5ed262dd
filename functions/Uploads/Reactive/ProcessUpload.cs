using System.Text.Json;
using Amazon.S3;
using Microsoft.Extensions.DependencyInjection;
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
public sealed class ProcessUpload(UploadProcessor processor, ProcessUploadSettings settings, ILogger<ProcessUpload> logger)
    : IReactiveHandler
{
    public static void AddServices(IServiceCollection services) => services.AddFunctionDefaults().AddS3()
        .AddSingleton<ProcessingStore>()
        .AddSingleton(_ => ProcessUploadSettings.FromEnvironment())
        .AddMetering()
        .AddSingleton(services =>
        {
            // The model and the next invocation share one client: a batch may keep the model busy for a minute.
            var http = new HttpClient { Timeout = TimeSpan.FromSeconds(70) };
            var (settings, time) = (services.GetRequiredService<ProcessUploadSettings>(), services.GetRequiredService<TimeProvider>());
            return new UploadProcessor(services.GetRequiredService<ProcessingStore>(), services.GetRequiredService<IAmazonS3>(),
                new BatchScorer(new SageMakerRuntimeClient(http, time), settings.EndpointName), new LambdaClient(http, time),
                services.GetRequiredService<UsageLedger>(), settings, time,
                services.GetRequiredService<ILoggerFactory>().CreateLogger<UploadProcessor>());
        });

    async Task<byte[]> IReactiveHandler.HandleAsync(byte[] payload, LambdaContext context)
    {
        await HandleAsync(payload, processor, settings, logger, context);
        return ReactiveFunctions.NoResponse;
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
