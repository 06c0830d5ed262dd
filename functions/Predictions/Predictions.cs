using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Kernel.Aws;
using Serverless.ServiceDefaults;

namespace Serverless.Predictions;

/// <summary>A past <c>POST /predictions</c> as the history shows it: the labels and scores, not the texts.</summary>
public sealed record PastPrediction(string PredictionId, DateTimeOffset CreatedAt, int TextCount, IReadOnlyList<Classification> Results);

/// <summary>
/// Prediction history items, <c>USER#{sub}</c> / <c>PREDICTION#{createdAt}#{predictionId}</c> (createdAt as a
/// <see cref="Timestamp"/>, so the sort key orders them by time): <c>type</c>, <c>predictionId</c>,
/// <c>createdAt</c>, <c>textCount</c>, <c>usageMonth</c> (the month whose quota reserved the texts: MeterUsage settles
/// the prediction's hold there), <c>results</c> (list of <c>{label, score}</c>), and <c>expiresAt</c>, a TTL
/// <see cref="Retention"/> on.
/// </summary>
public sealed class Predictions(IAmazonDynamoDB db, Table table)
{
    /// <summary>How long a prediction stays in the history.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(90);

    /// <summary>Writes the history item of a prediction made at <paramref name="createdAt"/> (whole milliseconds, UTC).</summary>
    public async Task SaveAsync(string userSub, string predictionId, DateTimeOffset createdAt, string usageMonth,
        IReadOnlyList<Classification> results, CancellationToken cancellationToken)
    {
        var time = Timestamp.Of(createdAt);
        await db.PutItemAsync(new PutItemRequest
        {
            TableName = table.Name,
            Item = new()
            {
                [Table.PartitionKey] = new() { S = Table.UserPartition(userSub) },
                [Table.SortKey] = new() { S = $"{Table.PredictionSortKeyPrefix}{time}#{predictionId}" },
                ["type"] = new() { S = Table.PredictionType },
                ["predictionId"] = new() { S = predictionId },
                ["createdAt"] = new() { S = time },
                ["textCount"] = NumberAttribute.Of(results.Count),
                ["usageMonth"] = new() { S = usageMonth },
                ["results"] = new()
                {
                    L = results.Select(result => new AttributeValue
                    {
                        M = new()
                        {
                            ["label"] = new() { S = result.Label },
                            ["score"] = new() { N = result.Score.ToString("R", CultureInfo.InvariantCulture) },
                        },
                    }).ToList(),
                },
                [Table.TimeToLive] = NumberAttribute.Of((createdAt + Retention).ToUnixTimeSeconds()),
            },
        }, cancellationToken);
    }

    /// <summary>A page of the predictions in the page's partition, newest first.</summary>
    public async Task<Page<PastPrediction>> ListAsync(PageRequest page, CancellationToken cancellationToken)
    {
        var response = await db.QueryAsync(page.NewestFirst(table), cancellationToken);
        return page.ToPage(response, FromItem);
    }


    private static PastPrediction FromItem(Dictionary<string, AttributeValue> item) => new(
        item["predictionId"].S,
        DateTimeOffset.ParseExact(item["createdAt"].S, Timestamp.Format, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
        int.Parse(item["textCount"].N, CultureInfo.InvariantCulture),
        item["results"].L.Select(result => new Classification(
            result.M["label"].S, double.Parse(result.M["score"].N, CultureInfo.InvariantCulture))).ToList());
}
