using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Serverless.ServiceDefaults;

namespace Serverless.Uploads;

/// <summary><c>GET /uploads/{id}</c>: the upload's status, counts and times; 404 for an id the user does not own.</summary>
public static class GetUpload
{
    public static RouteHandlerBuilder MapGetUpload(this RouteGroupBuilder uploads) =>
        uploads.MapGet("/{id}", HandleAsync).WithName(nameof(GetUpload));

    public static async Task<Results<Ok<Upload>, ProblemHttpResult>> HandleAsync(
        string id, ClaimsPrincipal user, UploadRepository uploads, CancellationToken cancellationToken)
    {
        var upload = await uploads.GetAsync(user.Sub(), id, cancellationToken);
        return upload is null ? NotFound(id) : TypedResults.Ok(upload);
    }

    /// <summary>The answer for an upload the user does not have: never a hint whether it is someone else's.</summary>
    public static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"There is no upload '{id}'.");
}
