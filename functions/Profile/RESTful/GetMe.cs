using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Serverless.ServiceDefaults;

namespace Serverless.Profile;

/// <summary><c>GET /me</c>: the signed-in user's profile; 404 when there is none.</summary>
public static class GetMe
{
    public static RouteHandlerBuilder MapGetMe(this RouteGroupBuilder me) => me.MapGet("", HandleAsync).WithName(nameof(GetMe));

    public static async Task<Results<Ok<UserProfile>, ProblemHttpResult>> HandleAsync(
        ClaimsPrincipal user, Profiles profiles, CancellationToken cancellationToken)
    {
        var profile = await profiles.GetAsync(user.Sub(), cancellationToken);
        return profile is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: "There is no profile for this user.")
            : TypedResults.Ok(profile);
    }
}
