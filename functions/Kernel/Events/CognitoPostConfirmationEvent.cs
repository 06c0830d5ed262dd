namespace Serverless.Kernel.Events;

/// <summary>
/// Fired after sign-up confirmation (<c>PostConfirmation_ConfirmSignUp</c>) and after a password reset
/// (<c>PostConfirmation_ConfirmForgotPassword</c>); the response is empty.
/// </summary>
public sealed class CognitoPostConfirmationEvent : CognitoTriggerEvent<CognitoPostConfirmationRequest, CognitoPostConfirmationResponse>;

public sealed class CognitoPostConfirmationRequest : CognitoTriggerRequest;

public sealed class CognitoPostConfirmationResponse : CognitoTriggerResponse;
