using System.Net;

namespace Serverless.Local.Emulators;

/// <summary>An error answer from cognito-local: <c>{"__type": "...", "message": "..."}</c>.</summary>
public sealed class CognitoLocalException : Exception
{
    /// <summary>Creates the exception from an error answer.</summary>
    public CognitoLocalException(string action, HttpStatusCode statusCode, string errorType, string message)
        : base($"{action} failed: {errorType}: {message} (HTTP {(int)statusCode})")
    {
        Action = action;
        StatusCode = statusCode;
        ErrorType = errorType;
        ErrorMessage = message;
    }

    /// <summary>The API action, e.g. "InitiateAuth".</summary>
    public string Action { get; }

    /// <summary>400 for Cognito errors; 500 for cognito-local's "CognitoLocal#Unsupported" and internal errors.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The <c>__type</c>, e.g. "NotAuthorizedException", "UsernameExistsException", "CognitoLocal#Unsupported".</summary>
    public string ErrorType { get; }

    /// <summary>The <c>message</c> text.</summary>
    public string ErrorMessage { get; }
}
