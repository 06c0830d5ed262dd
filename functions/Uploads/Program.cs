using Amazon.S3;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Kernel.Aws;
using Serverless.Kernel.Runtime;
using Serverless.ServiceDefaults;
using Serverless.Uploads;
using Serverless.Uploads.Processing;
using Serverless.Uploads.Scoring;

var reactive = new ReactiveFunctions(services => services.AddFunctionDefaults()
    .AddSingleton<UploadStore>()
    .AddSingleton(_ => ProcessUploadSettings.FromEnvironment())
    .AddSingleton(_ => Plan.FromEnvironment())
    .AddSingleton<UsageLedger>()
    .AddSingleton(services =>
    {
        // The model and the next invocation share one client; a batch may take the model a minute.
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(70) };
        var (settings, time) = (services.GetRequiredService<ProcessUploadSettings>(), services.GetRequiredService<TimeProvider>());
        return new UploadProcessor(services.GetRequiredService<UploadStore>(), services.GetRequiredService<IAmazonS3>(),
            new BatchScorer(new SageMakerRuntimeClient(http, time), settings.EndpointName), new LambdaClient(http, time),
            services.GetRequiredService<UsageLedger>(), settings, time,
            services.GetRequiredService<ILoggerFactory>().CreateLogger<UploadProcessor>());
    }));

return await LambdaBootstrap.RunAsync(new Dictionary<string, Func<ILoggerFactory, Task<LambdaHandler>>>
{
    [nameof(UploadsApi)] = _ => UploadsApi.CreateHandlerAsync(),
    [nameof(ProcessUpload)] = reactive.Handler<ProcessUpload>,
    [nameof(FailStrandedUpload)] = reactive.Handler<FailStrandedUpload>,
    [nameof(SweepStrandedUploads)] = reactive.Handler<SweepStrandedUploads>,
});
