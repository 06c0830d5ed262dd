using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Serverless.ServiceDefaults;

/// <summary>
/// Refuses every authenticated request of a deleted account with 410 Gone, a problem whose <c>accountStatus</c> is
/// <c>DELETING</c> or <c>DELETED</c> and <c>deletionRequestedAt</c> when it was asked for: an access token stays valid at the
/// gateway until it expires (as Cognito's do after a global sign-out), so the APIs check the account's tombstone
/// (<see cref="AccountDeletions"/>) on every call. That costs one consistent GetItem per authenticated request. An endpoint
/// marked with <see cref="AllowDeletedAccount{TBuilder}"/> (<c>DELETE /me</c>, which is repeatable) is let through.
/// </summary>
public static class DeletedAccountRefusal
{
    /// <summary>Lets a deleted account's requests through to the endpoint.</summary>
    public static TBuilder AllowDeletedAccount<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(AllowsDeletedAccount.Instance);

    internal static async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.User.FindFirstValue("sub") is not { } sub
            || context.GetEndpoint()?.Metadata.GetMetadata<AllowsDeletedAccount>() is not null)
        {
            await next(context);
            return;
        }
        var deletion = await context.RequestServices.GetRequiredService<AccountDeletions>().GetAsync(sub, context.RequestAborted);
        if (deletion is null)
        {
            await next(context);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status410Gone;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status410Gone,
                Detail = deletion.Status == AccountDeletions.Deleted
                    ? "This account was deleted."
                    : "This account is being deleted: it can no longer be used, and everything it owns is being removed.",
                Extensions =
                {
                    ["accountStatus"] = deletion.Status,
                    ["deletionRequestedAt"] = Timestamp.Of(deletion.RequestedAt),
                },
            },
        });
    }

    private sealed class AllowsDeletedAccount
    {
        public static readonly AllowsDeletedAccount Instance = new();
    }
}
