using Amazon.DynamoDBv2.Model;
using Serverless.ServiceDefaults;

namespace Serverless.Metering;

/// <summary>
/// The prediction history item, <c>USER#{sub}</c> / <c>PREDICTION#{createdAt}#{predictionId}</c> (createdAt as a
/// <see cref="Timestamp"/>, so the sort key orders them by time). POST /predictions writes it once the model answered;
/// its INSERT on the table's stream is what settles the prediction's hold (<see cref="UsageLedger"/>).
/// <list type="table">
/// <item><term>type</term><description><see cref="Type"/></description></item>
/// <item><term>predictionId, createdAt</term><description>the id (a version 7 GUID) and when it was made</description></item>
/// <item><term>textCount</term><description>the texts classified: what the prediction uses of the plan</description></item>
/// <item><term>usageMonth</term><description><see cref="MeteredItem.UsageMonth"/></description></item>
/// <item><term>results</term><description>list of <c>{label, score}</c>, one per text, in order (not the texts)</description></item>
/// <item><term>expiresAt</term><description>the TTL: the history keeps a prediction for a while only</description></item>
/// </list>
/// </summary>
public static class PredictionItem
{
    /// <summary>The <c>type</c> attribute's value.</summary>
    public const string Type = "PREDICTION";

    public const string SortKeyPrefix = "PREDICTION#";
    public const string PredictionId = "predictionId";
    public const string CreatedAt = "createdAt";
    public const string TextCount = "textCount";
    public const string Results = "results";

    /// <summary>A result's label and score, in each map of <see cref="Results"/>.</summary>
    public const string Label = "label";
    public const string Score = "score";

    public static Dictionary<string, AttributeValue> Key(string userSub, string createdAt, string predictionId) => new()
    {
        [Table.PartitionKey] = new() { S = Table.UserPartition(userSub) },
        [Table.SortKey] = new() { S = $"{SortKeyPrefix}{createdAt}#{predictionId}" },
    };
}
