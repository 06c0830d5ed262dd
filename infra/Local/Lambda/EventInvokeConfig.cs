using System.Text.Json.Nodes;

namespace Serverless.Local.Lambda;

/// <summary>
/// How Lambda treats a function's asynchronous invocations (the template's <c>EventInvokeConfig</c>):
/// retries after a function error, the oldest event it still runs, and the <c>DestinationConfig.OnFailure</c>
/// destination's ARN (null: a discarded event is only logged).
/// </summary>
public sealed record EventInvokeConfig(int MaximumRetryAttempts, TimeSpan MaximumEventAge, string? OnFailureDestination)
{
    /// <summary>Lambda's defaults: two retries, six hours, no destination.</summary>
    public static readonly EventInvokeConfig Default = new(2, TimeSpan.FromHours(6), null);

    /// <summary>A function's resolved <c>EventInvokeConfig</c> property, unset values at Lambda's defaults; null without one.</summary>
    public static EventInvokeConfig? From(JsonNode? config) => config is JsonObject ? new(
        config["MaximumRetryAttempts"]?.GetValue<int>() ?? Default.MaximumRetryAttempts,
        config["MaximumEventAgeInSeconds"]?.GetValue<int>() is { } seconds ? TimeSpan.FromSeconds(seconds) : Default.MaximumEventAge,
        config["DestinationConfig"]?["OnFailure"]?["Destination"]?.GetValue<string>()) : null;
}
