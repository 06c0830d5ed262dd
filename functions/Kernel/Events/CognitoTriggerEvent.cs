using System.Text.Json.Serialization;

namespace Serverless.Kernel.Events;

/// <summary>
/// The parameters every Cognito user pool trigger shares. A trigger answers by returning the event it got,
/// with <see cref="Response"/> filled in. Names follow the official <c>Amazon.Lambda.CognitoEvents</c>.
/// </summary>
public abstract class CognitoTriggerEvent<TRequest, TResponse>
    where TRequest : CognitoTriggerRequest, new()
    where TResponse : CognitoTriggerResponse, new()
{
    [JsonPropertyName("version")] public string Version { get; set; } = "";
    [JsonPropertyName("region")] public string Region { get; set; } = "";
    [JsonPropertyName("userPoolId")] public string UserPoolId { get; set; } = "";
    [JsonPropertyName("userName")] public string UserName { get; set; } = "";
    [JsonPropertyName("callerContext")] public CognitoTriggerCallerContext CallerContext { get; set; } = new();

    /// <summary>Which flow fired the trigger, e.g. <c>PostConfirmation_ConfirmForgotPassword</c>.</summary>
    [JsonPropertyName("triggerSource")] public string TriggerSource { get; set; } = "";

    [JsonPropertyName("request")] public TRequest Request { get; set; } = new();
    [JsonPropertyName("response")] public TResponse Response { get; set; } = new();
}

public sealed class CognitoTriggerCallerContext
{
    [JsonPropertyName("awsSdkVersion")] public string AwsSdkVersion { get; set; } = "";
    [JsonPropertyName("clientId")] public string ClientId { get; set; } = "";
}

public abstract class CognitoTriggerRequest
{
    /// <summary>Every value is a string, booleans included (<c>"email_verified": "true"</c>).</summary>
    [JsonPropertyName("userAttributes")] public Dictionary<string, string> UserAttributes { get; set; } = [];

    /// <summary>What the app passed as <c>ClientMetadata</c> to the API call behind the trigger; often absent.</summary>
    [JsonPropertyName("clientMetadata")] public Dictionary<string, string>? ClientMetadata { get; set; }
}

public abstract class CognitoTriggerResponse;
