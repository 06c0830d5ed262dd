using Serverless.ServiceDefaults;

namespace Serverless.Predictions;

/// <summary>The Predictions API's configuration, read once when it starts: the SageMaker endpoint (<c>MODEL_ENDPOINT_NAME</c>).</summary>
public sealed record PredictionsApiSettings(string ModelEndpointName)
{
    public static PredictionsApiSettings FromEnvironment() => new(FunctionEnvironment.Required("MODEL_ENDPOINT_NAME"));
}
