using System.Text.Json.Serialization;

namespace Serverless.Kernel.Events;

/// <summary>
/// Fired before Cognito creates a user (<c>PreSignUp_SignUp</c>, <c>PreSignUp_AdminCreateUser</c>,
/// <c>PreSignUp_ExternalProvider</c>). Throwing rejects the sign-up.
/// </summary>
public sealed class CognitoPreSignupEvent : CognitoTriggerEvent<CognitoPreSignupRequest, CognitoPreSignupResponse>;

public sealed class CognitoPreSignupRequest : CognitoTriggerRequest
{
    /// <summary>The <c>ValidationData</c> of the sign-up call; arrives as <c>null</c> when the app sent none.</summary>
    [JsonPropertyName("validationData")] public Dictionary<string, string>? ValidationData { get; set; }
}

public sealed class CognitoPreSignupResponse : CognitoTriggerResponse
{
    [JsonPropertyName("autoConfirmUser")] public bool AutoConfirmUser { get; set; }

    /// <summary>Needs a non-empty <c>email</c> attribute, or sign-up fails.</summary>
    [JsonPropertyName("autoVerifyEmail")] public bool AutoVerifyEmail { get; set; }

    /// <summary>Needs a non-empty <c>phone_number</c> attribute, or sign-up fails.</summary>
    [JsonPropertyName("autoVerifyPhone")] public bool AutoVerifyPhone { get; set; }
}
