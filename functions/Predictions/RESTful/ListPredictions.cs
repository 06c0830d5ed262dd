using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Serverless.Metering;
using Serverless.ServiceDefaults;

namespace Serverless.Predictions;

/// <summary>
/// <c>GET /predictions?limit=&amp;cursor=</c>: the user's past predictions (90 days), newest first, a page at a time.
/// </summary>
public static class ListPredictions
{
    public static RouteHandlerBuilder MapListPredictions(this RouteGroupBuilder predictions) =>
        predictions.MapGet("", HandleAsync).WithName(nameof(ListPredictions));

    public static async Task<Results<Ok<Page<PastPrediction>>, ValidationProblem>> HandleAsync(
        string? limit, string? cursor, ClaimsPrincipal user, Predictions predictions, CancellationToken cancellationToken)
    {
        var partition = Table.UserPartition(user.Sub());
        var page = PageRequest.TryCreate(limit, cursor, partition, PredictionItem.SortKeyPrefix, out var errors);
        if (page is null) return TypedResults.ValidationProblem(errors);
        return TypedResults.Ok(await predictions.ListAsync(page, cancellationToken));
    }
}
