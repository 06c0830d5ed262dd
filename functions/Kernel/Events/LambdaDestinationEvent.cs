using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Kernel.Events;

/// <summary>
/// The invocation record Lambda sends to a function that is an asynchronous invocation's destination (an
/// <c>EventInvokeConfig</c> <c>OnFailure</c> or <c>OnSuccess</c> of <c>Type: Lambda</c>): which invocation it was
/// (<see cref="RequestContext"/>: its request id, the function, why it ended there, how many attempts ran), the event it
/// was given, and the last attempt's response. A record for an event that was never attempted has no
/// <see cref="ResponseContext"/> and no <see cref="ResponsePayload"/>. The AWS documentation calls it an invocation record.
/// </summary>
public sealed class LambdaDestinationEvent
{
    /// <summary><see cref="RequestContextEntity.Condition"/> of an event whose every attempt failed (OnFailure).</summary>
    public const string RetriesExhausted = "RetriesExhausted";

    /// <summary><see cref="RequestContextEntity.Condition"/> of an event that grew older than
    /// <c>MaximumEventAgeInSeconds</c> (OnFailure).</summary>
    public const string EventAgeExceeded = "EventAgeExceeded";

    /// <summary><see cref="RequestContextEntity.Condition"/> of an invocation that succeeded (OnSuccess).</summary>
    public const string Success = "Success";

    /// <summary><c>1.0</c>.</summary>
    [JsonPropertyName("version")] public string Version { get; set; } = "";

    [JsonPropertyName("timestamp")] public DateTime Timestamp { get; set; }
    [JsonPropertyName("requestContext")] public RequestContextEntity RequestContext { get; set; } = new();

    /// <summary>The event the invocation was given, as JSON.</summary>
    [JsonPropertyName("requestPayload")] public JsonElement RequestPayload { get; set; }

    [JsonPropertyName("responseContext")] public ResponseContextEntity? ResponseContext { get; set; }

    /// <summary>The last attempt's answer: on failure the runtime's error (<c>errorMessage</c>, <c>errorType</c>, ...).</summary>
    [JsonPropertyName("responsePayload")] public JsonElement? ResponsePayload { get; set; }

    public sealed class RequestContextEntity
    {
        /// <summary>The invocation's request id, the same in every attempt.</summary>
        [JsonPropertyName("requestId")] public string RequestId { get; set; } = "";

        /// <summary>The function invoked, with its version: <c>arn:aws:lambda:{region}:{account}:function:{name}:$LATEST</c>.</summary>
        [JsonPropertyName("functionArn")] public string FunctionArn { get; set; } = "";

        /// <summary><see cref="RetriesExhausted"/>, <see cref="EventAgeExceeded"/> or <see cref="Success"/>.</summary>
        [JsonPropertyName("condition")] public string Condition { get; set; } = "";

        /// <summary>How many times the function ran with the event.</summary>
        [JsonPropertyName("approximateInvokeCount")] public int ApproximateInvokeCount { get; set; }
    }

    public sealed class ResponseContextEntity
    {
        [JsonPropertyName("statusCode")] public int StatusCode { get; set; }
        [JsonPropertyName("executedVersion")] public string ExecutedVersion { get; set; } = "";

        /// <summary><c>Unhandled</c> or <c>Handled</c> after a function error; absent on success.</summary>
        [JsonPropertyName("functionError")] public string? FunctionError { get; set; }
    }
}
