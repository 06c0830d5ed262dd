using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Serverless.Metering;
using Serverless.ServiceDefaults;

namespace Serverless.Uploads;

/// <summary><c>GET /uploads?limit=&amp;cursor=</c>: the user's uploads, newest first, a page at a time.</summary>
public static class ListUploads
{
    public static RouteHandlerBuilder MapListUploads(this RouteGroupBuilder uploads) =>
        uploads.MapGet("", HandleAsync).WithName(nameof(ListUploads));

    public static async Task<Results<Ok<Page<Upload>>, ValidationProblem>> HandleAsync(
        string? limit, string? cursor, ClaimsPrincipal user, UploadRepository uploads, CancellationToken cancellationToken)
    {
        var page = PageRequest.TryCreate(limit, cursor, Table.UserPartition(user.Sub()), MeteredUpload.SortKeyPrefix, out var errors);
        if (page is null) return TypedResults.ValidationProblem(errors);
        return TypedResults.Ok(await uploads.ListAsync(page, cancellationToken));
    }
}
