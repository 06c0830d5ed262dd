using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Serverless.ServiceDefaults;

namespace Serverless.Uploads;

/// <summary>
/// <c>DELETE /uploads/{id}</c>: deletes the uploaded file, the results and the upload; 204. Like AWS's own
/// <c>Delete*</c> actions on a named resource, an upload that does not exist (never did, already deleted, someone
/// else's) is a 404: a client retrying a DELETE whose answer it lost reads that 404 as done.
/// </summary>
public static class DeleteUpload
{
    public static RouteHandlerBuilder MapDeleteUpload(this RouteGroupBuilder uploads) =>
        uploads.MapDelete("/{id}", HandleAsync).WithName(nameof(DeleteUpload));

    public static async Task<Results<NoContent, ProblemHttpResult>> HandleAsync(
        string id, ClaimsPrincipal user, UploadRepository uploads, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var sub = user.Sub();
        var upload = await uploads.GetAsync(sub, id, cancellationToken);
        if (upload is null) return GetUpload.NotFound(id);
        var objects = await uploads.DeleteAsync(sub, id, cancellationToken);
        loggers.CreateLogger(typeof(DeleteUpload)).LogInformation(
            "Deleted upload {UploadId} of {UserSub} ({Status}): {Objects} uploaded objects and its results",
            id, sub, upload.Status, objects);
        return TypedResults.NoContent();
    }
}
