using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Serverless.Kernel.Aws;
using Serverless.ServiceDefaults;

namespace Serverless.Profile;

/// <summary>An account deletion as <c>DELETE /me</c> answers it: <c>DELETING</c> while the data goes, then <c>DELETED</c>.</summary>
public sealed record AccountDeletionStatus(string Status, DateTimeOffset RequestedAt);

/// <summary>
/// <c>DELETE /me</c>: makes the account unusable at once, then has <see cref="PurgeAccount"/> delete everything it owns and
/// the Cognito user. In order: the tombstone (every API refuses the user from here on, 410), the Cognito user disabled
/// (no sign-in, no refresh) and signed out globally (its refresh tokens revoked), the purge invoked asynchronously.
/// Answers 202 with the deletion's status. Repeatable: while the deletion is under way each call does it all again (which
/// restarts a purge that stopped), and a finished one answers its status.
/// </summary>
public static class DeleteMe
{
    public static RouteHandlerBuilder MapDeleteMe(this RouteGroupBuilder me) =>
        me.MapDelete("", HandleAsync).WithName(nameof(DeleteMe)).AllowDeletedAccount();

    public static async Task<Accepted<AccountDeletionStatus>> HandleAsync(
        ClaimsPrincipal user, AccountDeletions deletions, CognitoIdentityProviderClient cognito, LambdaClient lambda,
        ProfileApiSettings settings, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var sub = user.Sub();
        var deletion = await deletions.WriteTombstoneAsync(sub, cancellationToken);
        if (deletion.Status == AccountDeletions.Deleting)
        {
            var username = user.Username();
            try
            {
                await cognito.AdminDisableUserAsync(settings.UserPoolId, username, cancellationToken);
                await cognito.AdminUserGlobalSignOutAsync(settings.UserPoolId, username, cancellationToken);
            }
            catch (AwsServiceException error) when (error.ErrorCode == "UserNotFoundException")
            {
                // The purge deleted the user already: a repeated request.
            }
            var purge = JsonSerializer.SerializeToUtf8Bytes(
                new PurgeAccountEvent(sub, username), ProfileJsonContext.Default.PurgeAccountEvent);
            await lambda.InvokeEventAsync(settings.PurgeAccountFunction, purge, cancellationToken);
            loggers.CreateLogger(typeof(DeleteMe)).LogInformation("Deleting the account of {UserSub}: signed out, purge invoked", sub);
        }
        return TypedResults.Accepted((string?)null, new AccountDeletionStatus(deletion.Status, deletion.RequestedAt));
    }
}
