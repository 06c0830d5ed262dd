using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Serverless.ServiceDefaults;

namespace Serverless.Uploads;

/// <summary>Where to download a completed upload's results, until <see cref="ExpiresAt"/>.</summary>
public sealed record UploadResults(string Url, DateTimeOffset ExpiresAt);

/// <summary>
/// <c>GET /uploads/{id}/results</c>: a presigned <c>GET</c> of the result file (JSON Lines, one line per row) once the
/// upload is COMPLETED; 409 before, saying the current status; 404 for an id the user does not own.
/// </summary>
public static class GetUploadResults
{
    public static RouteHandlerBuilder MapGetUploadResults(this RouteGroupBuilder uploads) =>
        uploads.MapGet("/{id}/results", HandleAsync).WithName(nameof(GetUploadResults));

    public static async Task<Results<Ok<UploadResults>, ProblemHttpResult>> HandleAsync(
        string id, ClaimsPrincipal user, UploadRepository uploads, CancellationToken cancellationToken)
    {
        var sub = user.Sub();
        var upload = await uploads.GetAsync(sub, id, cancellationToken);
        if (upload is null) return GetUpload.NotFound(id);
        if (upload.Status != UploadStatus.Completed)
        {
            var detail = upload.Status == UploadStatus.Failed
                ? $"The upload is {upload.Status} ({upload.Error}); it has no results."
                : $"The upload is {upload.Status}; its results are ready once it is {UploadStatus.Completed}.";
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, detail: detail,
                extensions: new Dictionary<string, object?> { ["uploadStatus"] = upload.Status });
        }
        var download = await uploads.PresignResultsAsync(sub, id, DownloadName(upload.FileName));
        return TypedResults.Ok(new UploadResults(download.Url, download.ExpiresAt));
    }

    /// <summary>The name a browser saves the results as: the upload's name with <c>.results.jsonl</c> for its extension.</summary>
    public static string DownloadName(string fileName) => Path.GetFileNameWithoutExtension(fileName) + ".results.jsonl";
}
