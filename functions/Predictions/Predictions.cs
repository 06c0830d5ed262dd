using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Kernel.Aws;
using Serverless.Metering;
using Serverless.ServiceDefaults;

namespace Serverless.Predictions;

/// <summary>A past <c>POST /predictions</c> as the history shows it: the labels and scores, not the texts.</summary>
public sealed record PastPrediction(
    string PredictionId, DateTimeOffset CreatedAt, int TextCount, IReadOnlyList<Classification> Results);

/// <summary>The prediction history: its items (<see cref="PredictionItem"/>) kept <see cref="Retention"/>.</summary>
public sealed class Predictions(IAmazonDynamoDB db, Table table)
{
    /// <summary>How long a prediction stays in the history.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(90);

    /// <summary>
    /// Writes the history item of a prediction made at <paramref name="createdAt"/> (whole milliseconds, UTC), whose texts
    /// were reserved in <paramref name="usageMonth"/>.
    /// </summary>
    public async Task SaveAsync(string userSub, string predictionId, DateTimeOffset createdAt, string usageMonth,
        IReadOnlyList<Classification> results, CancellationToken cancellationToken)
    {
        var time = Timestamp.Of(createdAt);
        await db.PutItemAsync(new PutItemRequest
        {
            TableName = table.Name,
            Item = new(PredictionItem.Key(userSub, time, predictionId))
            {
                [Table.ItemType] = new() { S = PredictionItem.Type },
                [PredictionItem.PredictionId] = new() { S = predictionId },
                [PredictionItem.CreatedAt] = new() { S = time },
                [PredictionItem.TextCount] = NumberAttribute.Of(results.Count),
                [MeteredItem.UsageMonth] = new() { S = usageMonth },
                [PredictionItem.Results] = new()
                {
                    L = results.Select(result => new AttributeValue
                    {
                        M = new()
                        {
                            [PredictionItem.Label] = new() { S = result.Label },
                            [PredictionItem.Score] = new() { N = result.Score.ToString("R", CultureInfo.InvariantCulture) },
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
        item[PredictionItem.PredictionId].S,
        DateTimeOffset.ParseExact(item[PredictionItem.CreatedAt].S, Timestamp.Format, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal),
        int.Parse(item[PredictionItem.TextCount].N, CultureInfo.InvariantCulture),
        item[PredictionItem.Results].L.Select(result => new Classification(
            result.M[PredictionItem.Label].S,
            double.Parse(result.M[PredictionItem.Score].N, CultureInfo.InvariantCulture))).ToList());
}
