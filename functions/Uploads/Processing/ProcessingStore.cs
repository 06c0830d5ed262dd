using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Kernel.Metrics;
using Serverless.Metering;
using Serverless.ServiceDefaults;

namespace Serverless.Uploads.Processing;

/// <summary>
/// The processing's reads and conditional writes of the upload item, for ProcessUpload and the functions that end a
/// stranded upload: each write after the claim is conditional on it (<see cref="ClaimAsync"/>).
/// </summary>
public sealed class ProcessingStore(IAmazonDynamoDB db, Table table, TimeProvider time)
{
    private const string Holds = "#status = :processing AND #claim = :claim";

    /// <summary>What an upload that leaves PROCESSING drops: where to resume, its place in the sweeper's index, the hand-on.</summary>
    private const string LeaveProcessing =
        $"{UploadAttribute.Checkpoint}, {UploadAttribute.ProcessingPartition}, {UploadAttribute.HandedOnBy}";

    /// <summary>The part of a SET clause that writes a tally's counts, from the values <see cref="WithCounts"/> adds.</summary>
    private const string SetCounts = $"{UploadAttribute.RowsProcessed} = :{UploadAttribute.RowsProcessed}, " +
        $"{UploadAttribute.RowsFailed} = :{UploadAttribute.RowsFailed}, " +
        $"{UploadAttribute.LabelCounts} = :{UploadAttribute.LabelCounts}";

    /// <summary>
    /// Claims an upload whose file arrived: PENDING_UPLOAD → PROCESSING, with the claim token, the object's size and
    /// ETag, the start time, zero counts and the month its usage goes to (kept by a retry), and without the TTL. Null
    /// (nothing written) when there is no such upload waiting for that key or held by this token.
    /// <para>
    /// The claim token is the request id of the invocation that holds the upload, and every later write is conditional
    /// on it: an item that was deleted or handed on answers <see cref="UploadGoneException"/>, and the invocation stops
    /// without touching it again. An error the invocation catches ends the upload FAILED; when it dies instead (out of
    /// memory, killed at its timeout, a host failure) nothing is written, and Lambda retries the event with the same
    /// request id: the retry claims the upload again the same way, from scratch, without a checkpoint (or, for a
    /// continuation, takes it over again: <see cref="TakeOverAsync"/>). A delivery with another request id (S3's
    /// duplicate notifications) finds it held and does nothing. When every retry dies too, the upload is left to the
    /// stranded-upload enders (<see cref="StrandedUpload"/>).
    /// </para>
    /// </summary>
    public async Task<Dictionary<string, AttributeValue>?> ClaimAsync(
        string userSub, string uploadId, string objectKey, long objectSize, string objectETag, string claim,
        CancellationToken cancellationToken)
    {
        var values = WithCounts(new Tally(), new()
        {
            [":pending"] = new() { S = UploadStatus.PendingUpload },
            [":processing"] = new() { S = UploadStatus.Processing },
            [":key"] = new() { S = objectKey },
            [":claim"] = new() { S = claim },
            [":now"] = Now(),
            [":size"] = NumberAttribute.Of(objectSize),
            [":etag"] = new() { S = objectETag },
            [":partition"] = new() { S = UploadItem.ProcessingPartition },
            [":month"] = new() { S = UsageItem.Month(time.GetUtcNow()) },
        });
        return await UpdateAsync(userSub, uploadId,
            $"SET #status = :processing, #claim = :claim, {UploadAttribute.StartedAt} = :now, {UploadAttribute.UpdatedAt} = :now, " +
            $"{UploadAttribute.ObjectSize} = :size, {UploadAttribute.ObjectETag} = :etag, " +
            $"{UploadAttribute.UsageMonth} = if_not_exists({UploadAttribute.UsageMonth}, :month), " +
            $"{SetCounts}, {UploadAttribute.HeartbeatAt} = :now, {UploadAttribute.ProcessingPartition} = :partition " +
            $"REMOVE {Table.TimeToLive}, {UploadAttribute.Checkpoint}, {UploadAttribute.HandedOnBy}",
            $"(#status = :pending OR ({Holds})) AND {UploadAttribute.ObjectKey} = :key", values, [], cancellationToken);
    }

    /// <summary>
    /// A continuing invocation takes the upload over from the one that handed it on (<see cref="HandOn"/>), or, as a retry
    /// of itself, holds it again (PROCESSING under this same token); null when another took it first or it is finished
    /// or gone.
    /// </summary>
    public Task<Dictionary<string, AttributeValue>?> TakeOverAsync(
        string userSub, string uploadId, string handoff, string claim, CancellationToken cancellationToken) =>
        UpdateAsync(userSub, uploadId,
            $"SET #claim = :claim, {UploadAttribute.UpdatedAt} = :now, {UploadAttribute.HeartbeatAt} = :now " +
            $"REMOVE {UploadAttribute.HandedOnBy}",
            "#status = :processing AND #claim IN (:handoff, :claim)", new()
        {
            [":processing"] = new() { S = UploadStatus.Processing },
            [":handoff"] = new() { S = handoff },
            [":claim"] = new() { S = claim },
            [":now"] = Now(),
        }, [], cancellationToken);

    /// <summary>The item as it is (why a claim failed; whether a dead invocation still holds it); null when there is none.</summary>
    public async Task<Dictionary<string, AttributeValue>?> GetAsync(
        string userSub, string uploadId, CancellationToken cancellationToken)
    {
        var response = await db.GetItemAsync(
            new GetItemRequest { TableName = table.Name, Key = UploadItem.Key(userSub, uploadId), ConsistentRead = true },
            cancellationToken);
        return response.IsItemSet ? response.Item : null;
    }

    /// <summary>Whether the upload's owner deleted their account (its tombstone, <see cref="AccountDeletions"/>).</summary>
    public async Task<bool> AccountDeletedAsync(string userSub, CancellationToken cancellationToken) =>
        await new AccountDeletions(db, table, time).GetAsync(userSub, cancellationToken) is not null;

    /// <summary>Deletes the user's usage item of <paramref name="month"/> (an account's purge deletes it first).</summary>
    public Task DeleteUsageAsync(string userSub, string month, CancellationToken cancellationToken) =>
        db.DeleteItemAsync(new DeleteItemRequest { TableName = table.Name, Key = UsageItem.Key(userSub, month) }, cancellationToken);

    /// <summary>
    /// Renews the heartbeat of the upload this invocation holds (<see cref="Heartbeat"/>), which every other write here
    /// also does; false when it is no longer held.
    /// </summary>
    public async Task<bool> HeartbeatAsync(string userSub, string uploadId, string claim, CancellationToken cancellationToken) =>
        await UpdateAsync(userSub, uploadId, $"SET {UploadAttribute.HeartbeatAt} = :now", Holds, new()
        {
            [":processing"] = new() { S = UploadStatus.Processing },
            [":claim"] = new() { S = claim },
            [":now"] = Now(),
        }, [], cancellationToken) is not null;

    /// <summary>
    /// The uploads in the PROCESSING index whose heartbeat is older than <paramref name="before"/>. The index is eventually
    /// consistent: what it lists is read again before anything is written.
    /// </summary>
    public async Task<IReadOnlyList<(string UserSub, string UploadId)>> HeartbeatBeforeAsync(DateTimeOffset before,
        CancellationToken cancellationToken)
    {
        var found = new List<(string, string)>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var response = await db.QueryAsync(new QueryRequest
            {
                TableName = table.Name,
                IndexName = UploadItem.ProcessingIndex,
                KeyConditionExpression = "#partition = :partition AND #heartbeat < :before",
                ExpressionAttributeNames = new()
                {
                    ["#partition"] = UploadAttribute.ProcessingPartition,
                    ["#heartbeat"] = UploadAttribute.HeartbeatAt,
                },
                ExpressionAttributeValues = new()
                {
                    [":partition"] = new() { S = UploadItem.ProcessingPartition },
                    [":before"] = new() { S = Timestamp.Of(before) },
                },
                ExclusiveStartKey = start,
            }, cancellationToken);
            foreach (var item in response.Items ?? [])
                found.Add((item[Table.PartitionKey].S[Table.UserPartitionPrefix.Length..],
                    item[Table.SortKey].S[MeteredUpload.SortKeyPrefix.Length..]));
            start = response.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (start is not null);
        return found;
    }

    /// <summary>Shows the counts so far.</summary>
    public Task ProgressAsync(string userSub, string uploadId, string claim, Tally tally, CancellationToken cancellationToken) =>
        HeldUpdateAsync(userSub, uploadId, claim, tally, "", [], [], cancellationToken);

    /// <summary>
    /// Saves where to resume and hands the claim on to <paramref name="handoff"/>, the token the continuing invocation
    /// brings (<see cref="HandOn"/>).
    /// </summary>
    public Task CheckpointAsync(string userSub, string uploadId, string claim, Tally tally, Checkpoint checkpoint, string handoff,
        CancellationToken cancellationToken) =>
        HeldUpdateAsync(userSub, uploadId, claim, tally,
            $", {UploadAttribute.Checkpoint} = :checkpoint, #claim = :handoff, {UploadAttribute.HandedOnBy} = :claim",
            new() { [":checkpoint"] = checkpoint.ToAttribute(), [":handoff"] = new() { S = handoff } }, [], cancellationToken);

    /// <summary>
    /// PROCESSING → COMPLETED with the final counts and the result's key; with <paramref name="quotaStop"/> (the note saying
    /// so) when it stopped at the user's monthly quota before the end of the file. Counted as
    /// <see cref="MetricNames.UploadsCompleted"/>, whichever function ends it.
    /// </summary>
    public async Task CompleteAsync(string userSub, string uploadId, string claim, Tally tally, string resultKey,
        string? quotaStop, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, AttributeValue>
        {
            [":end"] = new() { S = UploadStatus.Completed },
            [":result"] = new() { S = resultKey },
        };
        var stop = "";
        if (quotaStop is not null)
        {
            values[":stopped"] = new() { BOOL = true };
            values[":note"] = new() { S = quotaStop };
            stop = $", {UploadAttribute.StoppedAtQuota} = :stopped, {UploadAttribute.Note} = :note";
        }
        await HeldUpdateAsync(userSub, uploadId, claim, tally,
            $", #status = :end, {UploadAttribute.RowsTotal} = :{UploadAttribute.RowsProcessed}, {UploadAttribute.ResultKey} = :result, " +
            $"{UploadAttribute.CompletedAt} = :now{stop} REMOVE {LeaveProcessing}",
            values, [], cancellationToken);
        Metric.Add(MetricNames.UploadsCompleted, 1);
    }

    /// <summary>PROCESSING → FAILED with the reason and the counts so far.</summary>
    public Task FailAsync(
        string userSub, string uploadId, string claim, Tally tally, string error, CancellationToken cancellationToken) =>
        FailAsync(userSub, uploadId, claim, tally, error, null, cancellationToken);

    /// <summary>
    /// PROCESSING → FAILED with the reason and the counts so far; with <paramref name="heartbeatBefore"/>, only while the
    /// heartbeat is still older than that (a live invocation that renewed it keeps the upload). Counted as
    /// <see cref="MetricNames.UploadsFailed"/>, whichever function ends it.
    /// </summary>
    public async Task FailAsync(string userSub, string uploadId, string claim, Tally tally, string error,
        DateTimeOffset? heartbeatBefore, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, AttributeValue>
        {
            [":end"] = new() { S = UploadStatus.Failed },
            [":error"] = new() { S = error },
        };
        if (heartbeatBefore is { } before) values[":before"] = new() { S = Timestamp.Of(before) };
        await HeldUpdateAsync(userSub, uploadId, claim, tally,
            $", #status = :end, #error = :error, {UploadAttribute.CompletedAt} = :now REMOVE {LeaveProcessing}",
            values, new() { ["#error"] = UploadAttribute.Error }, cancellationToken,
            heartbeatBefore is null ? "" : $" AND {UploadAttribute.HeartbeatAt} < :before");
        Metric.Add(MetricNames.UploadsFailed, 1);
    }

    /// <summary>
    /// Writes the counts, the update time and <paramref name="more"/> (which goes on the SET clause) to the upload this
    /// invocation holds, with the values and names <paramref name="more"/> uses besides the counts' and the claim's.
    /// </summary>
    private async Task HeldUpdateAsync(string userSub, string uploadId, string claim, Tally tally, string more,
        Dictionary<string, AttributeValue> moreValues, Dictionary<string, string> moreNames, CancellationToken cancellationToken,
        string moreCondition = "")
    {
        moreValues[":processing"] = new() { S = UploadStatus.Processing };
        moreValues[":claim"] = new() { S = claim };
        moreValues[":now"] = Now();
        var update = $"SET {SetCounts}, {UploadAttribute.UpdatedAt} = :now, {UploadAttribute.HeartbeatAt} = :now" + more;
        var values = WithCounts(tally, moreValues);
        if (await UpdateAsync(userSub, uploadId, update, Holds + moreCondition, values, moreNames, cancellationToken) is null)
            throw new UploadGoneException(uploadId);
    }

    /// <summary><paramref name="values"/> with the values of a tally's counts that <see cref="SetCounts"/> names.</summary>
    private static Dictionary<string, AttributeValue> WithCounts(Tally tally, Dictionary<string, AttributeValue> values)
    {
        foreach (var (name, value) in tally.ToAttributes()) values[":" + name] = value;
        return values;
    }

    /// <summary>
    /// An update of the upload item on a condition; every expression names <c>#status</c> and <c>#claim</c>, some
    /// <paramref name="moreNames"/>.
    /// </summary>
    private async Task<Dictionary<string, AttributeValue>?> UpdateAsync(string userSub, string uploadId, string update, string condition,
        Dictionary<string, AttributeValue> values, Dictionary<string, string> moreNames, CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, string>(moreNames)
        {
            ["#status"] = UploadAttribute.Status,
            ["#claim"] = UploadAttribute.Claim,
        };
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
public sealed class UploadGoneException(string uploadId)
    : Exception($"Upload {uploadId} was deleted or is no longer held by this invocation.");
