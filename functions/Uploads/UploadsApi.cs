using Amazon.DynamoDBv2;
using Amazon.S3;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Metering;
using Serverless.ServiceDefaults;

namespace Serverless.Uploads;

/// <summary>
/// The Uploads API function: <c>POST/GET /uploads</c>, <c>GET/DELETE /uploads/{id}</c>, <c>GET /uploads/{id}/results</c>.
/// The group's folders depend one way, never back up: <c>RESTful</c> and <c>Reactive</c> → <c>Processing</c> →
/// <c>Results</c> and <c>Scoring</c> → <c>Parsing</c>, each of them → the upload's item and files
/// (<see cref="UploadItem"/>, <see cref="UploadFiles"/>).
/// </summary>
public static class UploadsApi
{
    /// <param name="host">Chooses the server: the Lambda bridge in the function, Kestrel in the benchmark.</param>
    public static WebApplication Build(Action<WebApplicationBuilder> host)
    {
        var builder = ServiceDefaultsExtensions.CreateApiBuilder(host, UploadsJsonContext.Default);
        builder.Services.AddS3();
        var settings = UploadsApiSettings.FromEnvironment();
        builder.Services.AddSingleton(settings);
        builder.Services.AddMetering();
        builder.Services.AddSingleton(services => new UploadRepository(
            services.GetRequiredService<IAmazonDynamoDB>(), services.GetRequiredService<IAmazonS3>(), services.GetRequiredService<Table>(),
            settings.Bucket, services.GetRequiredService<TimeProvider>()));

        var app = builder.Build();
        app.UseServiceDefaults();
        var uploads = app.MapGroup("/uploads").RequireAuthorization();
        uploads.MapCreateUpload();
        uploads.MapListUploads();
        uploads.MapGetUpload();
        uploads.MapGetUploadResults();
        uploads.MapDeleteUpload();
        return app;
    }
}
