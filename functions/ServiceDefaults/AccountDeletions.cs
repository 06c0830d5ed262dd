using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace Serverless.ServiceDefaults;

/// <summary>
/// An account's deletion: <see cref="AccountDeletions.Deleting"/> while its data goes, then
/// <see cref="AccountDeletions.Deleted"/>.
/// </summary>
public sealed record AccountDeletion(string Status, DateTimeOffset RequestedAt);

/// <summary>
/// The tombstone of a deleted account, <c>USER#{sub}</c> / <c>DELETED</c> (status, requestedAt; the <c>expiresAt</c> TTL once
/// DELETED). Written before anything is deleted, it is what every API refuses a deleted user by, at once and whatever
/// the access token still says, and what keeps late writers (a stream record, a running ProcessUpload) from re-creating
/// the user's data. It outlives the data by <see cref="DeletedLifetime"/>, longer than any late event may come.
/// </summary>
public sealed class AccountDeletions(IAmazonDynamoDB db, Table table, TimeProvider time)
{
    public const string SortKey = "DELETED";
    public const string Deleting = "DELETING";
    public const string Deleted = "DELETED";

    /// <summary>
    /// How long the tombstone stays once everything is deleted: past presigned URLs (15 min) and Lambda's event age (6 h).
    /// </summary>
    public static readonly TimeSpan DeletedLifetime = TimeSpan.FromDays(7);

    private const string Status = "status";
    private const string RequestedAt = "requestedAt";

    public static Dictionary<string, AttributeValue> Key(string userSub) => new()
    {
        [Table.PartitionKey] = new() { S = Table.UserPartition(userSub) },
        [Table.SortKey] = new() { S = SortKey },
    };

    /// <summary>The account's deletion, or null when it is not deleted (a consistent read: a deletion counts at once).</summary>
    public async Task<AccountDeletion?> GetAsync(string userSub, CancellationToken cancellationToken)
    {
        var response = await db.GetItemAsync(new GetItemRequest { TableName = table.Name, Key = Key(userSub), ConsistentRead = true },
            cancellationToken);
        return response.IsItemSet ? FromItem(response.Item) : null;
    }

    /// <summary>Writes the tombstone unless there is one; either way, the deletion as it stands.</summary>
    public async Task<AccountDeletion> WriteTombstoneAsync(string userSub, CancellationToken cancellationToken)
    {
        var deletion = new AccountDeletion(Deleting, time.GetUtcNow());
        try
        {
            await db.PutItemAsync(new PutItemRequest
            {
                TableName = table.Name,
                Item = new Dictionary<string, AttributeValue>(Key(userSub))
                {
                    [Table.ItemType] = new() { S = SortKey },
                    [Status] = new() { S = Deleting },
                    [RequestedAt] = new() { S = Timestamp.Of(deletion.RequestedAt) },
                },
                ConditionExpression = "attribute_not_exists(PK)",
            }, cancellationToken);
            return deletion;
        }
        catch (ConditionalCheckFailedException)
        {
            return await GetAsync(userSub, cancellationToken) ?? deletion;
        }
    }

    /// <summary>Everything is deleted: the tombstone says so and expires after <see cref="DeletedLifetime"/>.</summary>
    public Task MarkDeletedAsync(string userSub, CancellationToken cancellationToken) =>
        db.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = table.Name,
            Key = Key(userSub),
            UpdateExpression = "SET #status = :deleted, #ttl = :ttl",
            ExpressionAttributeNames = new() { ["#status"] = Status, ["#ttl"] = Table.TimeToLive },
            ExpressionAttributeValues = new()
            {
                [":deleted"] = new() { S = Deleted },
                [":ttl"] = NumberAttribute.Of((time.GetUtcNow() + DeletedLifetime).ToUnixTimeSeconds()),
            },
        }, cancellationToken);

    /// <summary>
    /// A transaction item that holds only while the account has no tombstone: a writer that could create an item in the
    /// user's partition after the purge (metering a late stream record) adds it to its transaction.
    /// </summary>
    public static TransactWriteItem NotDeleted(Table table, string userSub) => new()
    {
        ConditionCheck = new ConditionCheck
        {
            TableName = table.Name,
            Key = Key(userSub),
            ConditionExpression = "attribute_not_exists(PK)",
        },
    };

    private static AccountDeletion FromItem(Dictionary<string, AttributeValue> item) => new(
        item.GetValueOrDefault(Status)?.S ?? Deleting,
        DateTimeOffset.Parse(item[RequestedAt].S, System.Globalization.CultureInfo.InvariantCulture));
}
