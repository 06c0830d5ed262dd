using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Serverless.Kernel.Aws;
using Serverless.ServiceDefaults;

namespace Serverless.Profile;

/// <summary>
/// <c>DELETE /me</c>: removes everything the user owns, then the Cognito user. Repeatable: a user
/// already gone answers 204 again.
/// </summary>
public static class DeleteMe
{
    public static RouteHandlerBuilder MapDeleteMe(this RouteGroupBuilder me) => me.MapDelete("", HandleAsync).WithName(nameof(DeleteMe));

    public static async Task<NoContent> HandleAsync(
        ClaimsPrincipal user, Profiles profiles, CognitoIdentityProviderClient cognito, ProfileApiSettings settings, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var sub = user.Sub();
        var items = await profiles.DeleteAllAsync(sub, cancellationToken);
        var userDeleted = true;
        try
        {
            await cognito.AdminDeleteUserAsync(settings.UserPoolId, user.Username(), cancellationToken);
        }
        catch (AwsServiceException error) when (error.ErrorCode == "UserNotFoundException")
        {
            userDeleted = false;
        }
        loggers.CreateLogger(typeof(DeleteMe)).LogInformation(
            "Deleted user {UserSub}: {Items} items, Cognito user deleted now: {UserDeleted}", sub, items, userDeleted);
        return TypedResults.NoContent();
    }
}
