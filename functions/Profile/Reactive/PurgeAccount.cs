using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.S3;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Kernel.Aws;
using Serverless.Kernel.Runtime;
using Serverless.ServiceDefaults;

namespace Serverless.Profile;

/// <summary>What <c>DELETE /me</c> asks <see cref="PurgeAccount"/> to delete: the account's <c>sub</c> and Cognito user name.</summary>
public sealed record PurgeAccountEvent(string UserSub, string Username);

/// <summary>
/// Deletes everything a deleted account owns, invoked asynchronously by <c>DELETE /me</c> once the account's tombstone is
/// written: every item in the user's partition but the tombstone (profile, uploads, predictions, usage and its markers,
/// reservations), then every object under the user's bucket prefixes (<see cref="BucketPrefix"/>: uploaded files, results,
/// carried parts), then the Cognito user; the tombstone then says DELETED and expires a week later. Items go first so
/// that a running ProcessUpload stops at its next conditional write, and deletes what it wrote after the listing itself.
/// <para>
/// Each invocation works until shortly before its deadline and then invokes the function again with the same event: each
/// pass starts over from what is left, so a user with any number of items is purged in as many passes as it takes, and a
/// repeated or retried event deletes nothing twice. An event for an account without a tombstone deletes nothing.
/// </para>
/// </summary>
public sealed class PurgeAccount(
    IAmazonDynamoDB db, Table table, IAmazonS3 s3, CognitoIdentityProviderClient cognito, LambdaClient lambda,
    PurgeAccountSettings settings, TimeProvider time, ILogger<PurgeAccount> logger)
    : ReactiveHandler<PurgeAccountEvent>(ProfileJsonContext.Default.PurgeAccountEvent)
{
    /// <summary>Batches of 25 deletes (BatchWriteItem's most) sent at once.</summary>
    private const int ParallelBatches = 8;

    private readonly Purge purge = new(db, table, s3, cognito, lambda, settings, time, logger);

    public static void AddServices(IServiceCollection services) => services.AddFunctionDefaults().AddS3()
        .AddSingleton(_ => PurgeAccountSettings.FromEnvironment())
        .AddSingleton(services => new CognitoIdentityProviderClient(new HttpClient(), services.GetRequiredService<TimeProvider>()))
        .AddSingleton(services => new LambdaClient(new HttpClient(), services.GetRequiredService<TimeProvider>()));

    public override Task HandleAsync(PurgeAccountEvent request, LambdaContext context) => HandleAsync(request, purge, context);

    /// <summary>One pass; true when the account is purged, false when the pass handed the rest on to a new invocation.</summary>
    public static async Task<bool> HandleAsync(PurgeAccountEvent request, Purge purge, LambdaContext context)
    {
        ArgumentException.ThrowIfNullOrEmpty(request.UserSub);
        var (db, table, s3, cognito, lambda, settings, time, logger) = purge;
        var cancellationToken = context.CancellationToken;
        var deletions = new AccountDeletions(db, table, time);
        if (await deletions.GetAsync(request.UserSub, cancellationToken) is null)
        {
            logger.LogWarning("The account of {UserSub} has no tombstone: nothing is deleted", request.UserSub);
            return true;
        }
        // Time to finish the batches in flight and invoke the next pass: a quarter of the time left, at most 10 s.
        var stopAt = time.GetUtcNow() + context.RemainingTime - TimeSpan.FromSeconds(Math.Min(10, context.RemainingTime.TotalSeconds / 4));
        bool TimeLeft() => time.GetUtcNow() < stopAt;

        var items = await DeleteItemsAsync(purge, request.UserSub, TimeLeft, cancellationToken);
        var objects = 0;
        foreach (var prefix in BucketPrefix.Of(request.UserSub))
            for (int page; TimeLeft()
                && (page = await BucketPrefix.DeleteFirstObjectsAsync(s3, settings.Bucket, prefix, cancellationToken)) > 0;)
                objects += page;
        if (!TimeLeft())
        {
            await lambda.InvokeEventAsync(settings.FunctionName,
                JsonSerializer.SerializeToUtf8Bytes(request, ProfileJsonContext.Default.PurgeAccountEvent), CancellationToken.None);
            logger.LogInformation("Purging {UserSub}: deleted {Items} items and {Objects} objects in this pass; the next pass is invoked",
                request.UserSub, items, objects);
            return false;
        }
        try
        {
            await cognito.AdminDeleteUserAsync(settings.UserPoolId, request.Username, cancellationToken);
        }
        catch (AwsServiceException error) when (error.ErrorCode == "UserNotFoundException")
        {
            // Deleted by an earlier pass whose tombstone update did not happen.
        }
        await deletions.MarkDeletedAsync(request.UserSub, cancellationToken);
        logger.LogInformation("Purged {UserSub}: deleted {Items} items and {Objects} objects in the last pass, and the Cognito user",
            request.UserSub, items, objects);
        return true;
    }

    /// <summary>Deletes the partition's items but the tombstone, page by page, until done or out of time; the number deleted.</summary>
    private static async Task<int> DeleteItemsAsync(Purge purge, string userSub, Func<bool> timeLeft, CancellationToken cancellationToken)
    {
        var (db, table, _, _, _, _, time, _) = purge;
        var deleted = 0;
        Dictionary<string, AttributeValue>? startKey = null;
        do
        {
            var page = await db.QueryAsync(new QueryRequest
            {
                TableName = table.Name,
                KeyConditionExpression = "PK = :pk",
                ExpressionAttributeValues = new() { [":pk"] = new() { S = Table.UserPartition(userSub) } },
                ProjectionExpression = "PK, SK",
                ExclusiveStartKey = startKey,
                ConsistentRead = true,
            }, cancellationToken);
            var keys = (page.Items ?? []).Where(key => key[Table.SortKey].S != AccountDeletions.SortKey).Chunk(25);
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = ParallelBatches, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(keys, parallel,
                async (chunk, token) =>
                {
                    if (!timeLeft()) return;
                    await DeleteBatchAsync(db, table, time, chunk, token);
                    Interlocked.Add(ref deleted, chunk.Length);
                });
            startKey = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        } while (startKey is not null && timeLeft());
        return deleted;
    }

    /// <summary>One BatchWriteItem of deletes, sending back what DynamoDB left unprocessed (throttling) with a growing pause.</summary>
    private static async Task DeleteBatchAsync(
        IAmazonDynamoDB db, Table table, TimeProvider time, Dictionary<string, AttributeValue>[] keys,
        CancellationToken cancellationToken)
    {
        var pending = new Dictionary<string, List<WriteRequest>>
        {
            [table.Name] = keys.Select(key => new WriteRequest { DeleteRequest = new DeleteRequest { Key = key } }).ToList(),
        };
        for (var attempt = 0; pending.Count > 0; attempt++)
        {
            if (attempt > 0) await Task.Delay(TimeSpan.FromMilliseconds(50 << Math.Min(attempt, 6)), time, cancellationToken);
            var result = await db.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = pending }, cancellationToken);
            pending = result.UnprocessedItems ?? [];
        }
    }
}

/// <summary>What a purge works with.</summary>
public sealed record Purge(
    IAmazonDynamoDB Db, Table Table, IAmazonS3 S3, CognitoIdentityProviderClient Cognito, LambdaClient Lambda,
    PurgeAccountSettings Settings, TimeProvider Time, ILogger Logger);

/// <summary>
/// PurgeAccount's configuration: the user pool (<c>USER_POOL_ID</c>), the bucket (<c>BUCKET_NAME</c>) and the function itself
/// (<c>PURGE_ACCOUNT_FUNCTION</c>, its live alias as the Profile API invokes it), invoked again for the next pass.
/// </summary>
public sealed record PurgeAccountSettings(string UserPoolId, string Bucket, string FunctionName)
{
    public static PurgeAccountSettings FromEnvironment() => new(
        FunctionEnvironment.Required("USER_POOL_ID"),
        FunctionEnvironment.Required("BUCKET_NAME"),
        FunctionEnvironment.Required("PURGE_ACCOUNT_FUNCTION"));
}
