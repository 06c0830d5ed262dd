using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.ServiceDefaults;

namespace Serverless.Uploads.Processing;

/// <summary>
/// ProcessUpload's writes to the upload item. The claim token is the request id of the invocation that holds the upload,
/// and every write after the claim is conditional on it: an item that was deleted or handed on answers
/// <see cref="UploadGoneException"/>, and the invocation stops without touching it again. Lambda retries an asynchronous
/// invocation that failed, timed out or died with the same request id, so a retry may claim or take over again what the
/// attempt before it held (and died with); a delivery with another request id may not.
/// </summary>
public sealed class UploadStore(IAmazonDynamoDB db, Table table, TimeProvider time)
{
    private const string Holds = "#status = :processing AND #claim = :claim";

    /// <summary>
    /// Claims an upload whose file arrived: PENDING_UPLOAD → PROCESSING, with the claim token, the object's size, the start
    /// time and zero counts, and without the TTL. A retry of the invocation that claimed it (PROCESSING under this same
    /// token) claims it again the same way: from scratch, without a checkpoint. Null (nothing written) when there is no
    /// such upload waiting for that key or held by this token.
    /// </summary>
    public async Task<Dictionary<string, AttributeValue>?> ClaimAsync(
        string userSub, string uploadId, string objectKey, long objectSize, string claim, CancellationToken cancellationToken)
    {
        var now = Now();
        var values = new Dictionary<string, AttributeValue>(new Tally().ToAttributes().Select(pair => KeyValuePair.Create(":" + pair.Key, pair.Value)))
        {
            [":pending"] = new() { S = UploadStatus.PendingUpload },
            [":processing"] = new() { S = UploadStatus.Processing },
            [":key"] = new() { S = objectKey },
            [":claim"] = new() { S = claim },
            [":now"] = now,
            [":size"] = NumberAttribute.Of(objectSize),
        };
        return await UpdateAsync(userSub, uploadId,
            $"SET #status = :processing, #claim = :claim, {UploadAttribute.StartedAt} = :now, {UploadAttribute.UpdatedAt} = :now, {UploadAttribute.ObjectSize} = :size, " +
            $"{UploadAttribute.RowsProcessed} = :{UploadAttribute.RowsProcessed}, {UploadAttribute.RowsFailed} = :{UploadAttribute.RowsFailed}, {UploadAttribute.LabelCounts} = :{UploadAttribute.LabelCounts} " +
            $"REMOVE {Table.TimeToLive}, {UploadAttribute.Checkpoint}",
            $"(#status = :pending OR ({Holds})) AND {UploadAttribute.ObjectKey} = :key", values, cancellationToken);
    }

    /// <summary>
    /// A continuing invocation takes the upload over from the one that handed it on, or, as a retry of itself, holds it
    /// again (PROCESSING under this same token); null when another took it first or it is finished or gone.
    /// </summary>
    public Task<Dictionary<string, AttributeValue>?> TakeOverAsync(string userSub, string uploadId, string handoff, string claim, CancellationToken cancellationToken) =>
        UpdateAsync(userSub, uploadId, $"SET #claim = :claim, {UploadAttribute.UpdatedAt} = :now", "#status = :processing AND #claim IN (:handoff, :claim)", new()
        {
            [":processing"] = new() { S = UploadStatus.Processing },
            [":handoff"] = new() { S = handoff },
            [":claim"] = new() { S = claim },
            [":now"] = Now(),
        }, cancellationToken);

    /// <summary>The item as it is (why a claim failed; whether a dead invocation still holds it); null when there is none.</summary>
    public async Task<Dictionary<string, AttributeValue>?> GetAsync(string userSub, string uploadId, CancellationToken cancellationToken)
    {
        var response = await db.GetItemAsync(new GetItemRequest { TableName = table.Name, Key = UploadItem.Key(userSub, uploadId), ConsistentRead = true },
            cancellationToken);
        return response.IsItemSet ? response.Item : null;
    }

    /// <summary>Shows the counts so far.</summary>
    public Task ProgressAsync(string userSub, string uploadId, string claim, Tally tally, CancellationToken cancellationToken) =>
        HeldUpdateAsync(userSub, uploadId, claim, tally, "", [], cancellationToken);

    /// <summary>Saves where to resume and hands the claim on to <paramref name="handoff"/>, the token the continuing invocation brings.</summary>
    public Task CheckpointAsync(string userSub, string uploadId, string claim, Tally tally, Checkpoint checkpoint, string handoff,
        CancellationToken cancellationToken) =>
        HeldUpdateAsync(userSub, uploadId, claim, tally, $", {UploadAttribute.Checkpoint} = :checkpoint, #claim = :handoff",
            new() { [":checkpoint"] = checkpoint.ToAttribute(), [":handoff"] = new() { S = handoff } }, cancellationToken);

    /// <summary>
    /// PROCESSING → COMPLETED with the final counts and the result's key; with <paramref name="quotaStop"/> (the note saying
    /// so) when it stopped at the user's monthly quota before the end of the file.
    /// </summary>
    public Task CompleteAsync(string userSub, string uploadId, string claim, Tally tally, string resultKey, string? quotaStop,
        CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, AttributeValue> { [":end"] = new() { S = UploadStatus.Completed }, [":result"] = new() { S = resultKey } };
        var stop = "";
        if (quotaStop is not null)
        {
            values[":stopped"] = new() { BOOL = true };
            values[":note"] = new() { S = quotaStop };
            stop = $", {UploadAttribute.StoppedAtQuota} = :stopped, {UploadAttribute.Note} = :note";
        }
        return HeldUpdateAsync(userSub, uploadId, claim, tally,
            $", #status = :end, {UploadAttribute.RowsTotal} = :{UploadAttribute.RowsProcessed}, {UploadAttribute.ResultKey} = :result, {UploadAttribute.CompletedAt} = :now{stop} REMOVE {UploadAttribute.Checkpoint}",
            values, cancellationToken);
    }

    /// <summary>PROCESSING → FAILED with the reason and the counts so far.</summary>
    public Task FailAsync(string userSub, string uploadId, string claim, Tally tally, string error, CancellationToken cancellationToken) =>
        HeldUpdateAsync(userSub, uploadId, claim, tally,
            $", #status = :end, #error = :error, {UploadAttribute.CompletedAt} = :now REMOVE {UploadAttribute.Checkpoint}",
            new() { [":end"] = new() { S = UploadStatus.Failed }, [":error"] = new() { S = error } }, cancellationToken);

    private async Task HeldUpdateAsync(string userSub, string uploadId, string claim, Tally tally, string more,
        Dictionary<string, AttributeValue> moreValues, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, AttributeValue>(tally.ToAttributes().Select(pair => KeyValuePair.Create(":" + pair.Key, pair.Value)))
        {
            [":processing"] = new() { S = UploadStatus.Processing },
            [":claim"] = new() { S = claim },
            [":now"] = Now(),
        };
        foreach (var (name, value) in moreValues) values[name] = value;
        var update = $"SET {UploadAttribute.RowsProcessed} = :{UploadAttribute.RowsProcessed}, {UploadAttribute.RowsFailed} = :{UploadAttribute.RowsFailed}, " +
            $"{UploadAttribute.LabelCounts} = :{UploadAttribute.LabelCounts}, {UploadAttribute.UpdatedAt} = :now" + more;
        if (await UpdateAsync(userSub, uploadId, update, Holds, values, cancellationToken) is null)
            throw new UploadGoneException(uploadId);
    }

    private async Task<Dictionary<string, AttributeValue>?> UpdateAsync(string userSub, string uploadId, string update, string condition,
        Dictionary<string, AttributeValue> values, CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, string> { ["#status"] = UploadAttribute.Status, ["#claim"] = UploadAttribute.Claim };
        if (update.Contains("#error", StringComparison.Ordinal)) names["#error"] = UploadAttribute.Error;
        try
        {
            var response = await db.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = table.Name,
                Key = UploadItem.Key(userSub, uploadId),
                UpdateExpression = update,
                ConditionExpression = condition,
                ExpressionAttributeNames = names,
                ExpressionAttributeValues = values,
                ReturnValues = ReturnValue.ALL_NEW,
            }, cancellationToken);
            return response.Attributes;
        }
        catch (ConditionalCheckFailedException)
        {
            return null;
        }
    }

    private AttributeValue Now() => new() { S = Timestamp.Of(time.GetUtcNow()) };
}

/// <summary>The upload item was deleted, or its claim is no longer this invocation's: processing stops and leaves it alone.</summary>
public sealed class UploadGoneException(string uploadId) : Exception($"Upload {uploadId} was deleted or is no longer held by this invocation.");
