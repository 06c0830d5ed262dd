using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Serverless.Local.Lambda;

namespace Serverless.Usage.Tests;

/// <summary>
/// A client of the same DynamoDB Local that keeps the UpdateItem and BatchGetItem requests it sends, and runs
/// <see cref="BeforeUpdate"/> before each update: a test makes another writer come first there, or fails the update.
/// </summary>
internal sealed class ObservedDynamoDb(IAmazonDynamoDB db) : AmazonDynamoDBClient(
    new BasicAWSCredentials(LocalAccount.AccessKeyId, LocalAccount.SecretAccessKey),
    new AmazonDynamoDBConfig { ServiceURL = db.Config.ServiceURL, AuthenticationRegion = LocalAccount.Region })
{
    private readonly List<UpdateItemRequest> updates = [];
    private int batchGets;

    public Func<UpdateItemRequest, Task>? BeforeUpdate { get; set; }

    public IReadOnlyList<UpdateItemRequest> Updates
    {
        get
        {
            lock (updates) return updates.ToList();
        }
    }

    public int BatchGets => batchGets;

    public override async Task<UpdateItemResponse> UpdateItemAsync(
        UpdateItemRequest request, CancellationToken cancellationToken = default)
    {
        lock (updates) updates.Add(request);
        if (BeforeUpdate is { } before) await before(request);
        return await base.UpdateItemAsync(request, cancellationToken);
    }

    public override Task<BatchGetItemResponse> BatchGetItemAsync(
        Dictionary<string, KeysAndAttributes> requestItems, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref batchGets);
        return base.BatchGetItemAsync(requestItems, cancellationToken);
    }

    /// <summary>The hold names an update removes on its condition (the sources it settles), sorted.</summary>
    public static IReadOnlyList<string> HoldsSettled(UpdateItemRequest update) =>
        update.ExpressionAttributeNames.Where(name => name.Key.StartsWith("#h", StringComparison.Ordinal))
            .Select(name => name.Value).Order(StringComparer.Ordinal).ToList();
}
