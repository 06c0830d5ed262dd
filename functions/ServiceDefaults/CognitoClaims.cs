using System.Security.Claims;

namespace Serverless.ServiceDefaults;

/// <summary>The Cognito access token's claims the APIs rely on.</summary>
public static class CognitoClaims
{
    /// <summary>The user's immutable id (<c>sub</c>); every item the user owns is keyed by it.</summary>
    public static string Sub(this ClaimsPrincipal user) => user.FindFirstValue("sub")
        ?? throw new InvalidOperationException("The authorizer passed no 'sub' claim.");

    /// <summary>The Cognito user name (<c>username</c> in access tokens, <c>cognito:username</c> in ID tokens).</summary>
    public static string Username(this ClaimsPrincipal user) =>
        user.FindFirstValue("username") ?? user.FindFirstValue("cognito:username") ?? user.Sub();
}
