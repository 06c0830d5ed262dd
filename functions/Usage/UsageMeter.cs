using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.ServiceDefaults;

namespace Serverless.Usage;

/// <summary>
/// Adds usage changes to the usage items, each exactly once. One transaction per change writes a marker item,
/// <c>USER#{sub}</c> / <c>METERED#{source sort key}</c>, on the condition that it does not exist yet, and <c>ADD</c>s the
/// counters to <c>USAGE#{yyyy-MM}</c>: both or neither. A redelivered record (Lambda's retries, a partial batch retried
/// from its failed record, a bisected batch) finds its marker and changes nothing. The marker is keyed by the source
/// item rather than the stream record's eventID because the event is what must count once, whichever record tells it.
/// Markers expire (TTL) after <see cref="MarkerLifetime"/>, well past the 24 hours a stream keeps a record.
/// </summary>
public sealed class UsageMeter(IAmazonDynamoDB db, Table table, TimeProvider time)
{
    public const string MarkerSortKeyPrefix = "METERED#";
    public static readonly TimeSpan MarkerLifetime = TimeSpan.FromDays(2);

    /// <summary>True when the change was added now, false when it had been already or the user's account is deleted.</summary>
    public async Task<bool> ApplyAsync(UsageChange change, string eventId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var usageKey = UsageItem.Key(change.UserSub, change.Month);
        try
        {
            await db.TransactWriteItemsAsync(new TransactWriteItemsRequest
            {
                TransactItems =
                [
                    new TransactWriteItem
                    {
                        Put = new Put
                        {
                            TableName = table.Name,
                            Item = new Dictionary<string, AttributeValue>
                            {
                                [Table.PartitionKey] = usageKey[Table.PartitionKey],
                                [Table.SortKey] = new() { S = MarkerSortKeyPrefix + change.Source },
                                ["type"] = new() { S = "METERED" },
                                ["month"] = new() { S = change.Month },
                                ["eventID"] = new() { S = eventId },
                                [Table.TimeToLive] = NumberAttribute.Of((now + MarkerLifetime).ToUnixTimeSeconds()),
                            },
                            ConditionExpression = "attribute_not_exists(#pk)",
                            ExpressionAttributeNames = new() { ["#pk"] = Table.PartitionKey },
                        },
                    },
                    new TransactWriteItem
                    {
                        Update = new Update
                        {
                            TableName = table.Name,
                            Key = usageKey,
                            UpdateExpression = "ADD #predictions :predictions, #rowsScored :rowsScored, #uploads :uploads, #bytes :bytes " +
                                "SET #type = :type, #updatedAt = :updatedAt",
                            ExpressionAttributeNames = new()
                            {
                                ["#predictions"] = UsageItem.Predictions,
                                ["#rowsScored"] = UsageItem.RowsScored,
                                ["#uploads"] = UsageItem.Uploads,
                                ["#bytes"] = UsageItem.Bytes,
                                ["#type"] = "type",
                                ["#updatedAt"] = "updatedAt",
                            },
                            ExpressionAttributeValues = new()
                            {
                                [":predictions"] = NumberAttribute.Of(change.Predictions),
                                [":rowsScored"] = NumberAttribute.Of(change.RowsScored),
                                [":uploads"] = NumberAttribute.Of(change.Uploads),
                                [":bytes"] = NumberAttribute.Of(change.Bytes),
                                [":type"] = new() { S = "USAGE" },
                                [":updatedAt"] = new() { S = Timestamp.Of(now) },
                            },
                        },
                    },
                    // A record read after the account's deletion must not re-create its usage.
                    AccountDeletions.NotDeleted(table, change.UserSub),
                ],
            }, cancellationToken);
            return true;
        }
        catch (TransactionCanceledException cancelled) when (cancelled.CancellationReasons?.Any(reason => reason.Code == "ConditionalCheckFailed") == true)
        {
            return false;
        }
    }

}
