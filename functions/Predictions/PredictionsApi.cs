using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Kernel.Aws;
using Serverless.Metering;
using Serverless.ServiceDefaults;

namespace Serverless.Predictions;

/// <summary>The Predictions API function: <c>POST/GET /predictions</c>.</summary>
public static class PredictionsApi
{
    /// <param name="host">Chooses the server: the Lambda bridge in the function, Kestrel in the benchmark.</param>
    public static WebApplication Build(Action<WebApplicationBuilder> host)
    {
        var builder = ServiceDefaultsExtensions.CreateApiBuilder(host, PredictionsJsonContext.Default);
        builder.Services.AddSingleton(PredictionsApiSettings.FromEnvironment());
        builder.Services.AddSingleton<Predictions>();
        builder.Services.AddMetering();
        builder.Services.AddSingleton(services =>
            new SageMakerRuntimeClient(new HttpClient(), services.GetRequiredService<TimeProvider>()));

        var app = builder.Build();
        app.UseServiceDefaults();
        var predictions = app.MapGroup("/predictions").RequireAuthorization();
        predictions.MapCreatePrediction();
        predictions.MapListPredictions();
        return app;
    }
}
