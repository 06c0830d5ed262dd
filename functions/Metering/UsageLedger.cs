using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.ServiceDefaults;

namespace Serverless.Metering;

/// <summary>
/// What one finished piece of work adds to a month's usage, settling the hold <see cref="Source"/> names: texts
/// classified by a prediction, or an upload's scored rows (and, for a COMPLETED upload, 1 upload and its bytes).
/// </summary>
public sealed record UsageSettlement(
    string UserSub, string Month, string Source, long Predictions, long RowsScored, long Uploads, long Bytes)
{
    /// <summary>The texts the work used of the plan: what the settlement charges in place of its hold.</summary>
    public long Texts => Predictions + RowsScored;
}

/// <summary>
/// What became of one settlement of <see cref="UsageLedger.SettleAllAsync"/>: <paramref name="Settled"/>, or no hold was
/// there to settle (settled before, or released after it expired), or its write failed (<paramref name="Error"/>): to be
/// tried again.
/// </summary>
public sealed record SettlementOutcome(bool Settled, AmazonDynamoDBException? Error);

/// <summary>
/// Reserves texts of the plan's monthly quota before work is done, and settles them when it ends, on the usage item
/// (<see cref="UsageItem"/>). <c>charged</c> is the one number a condition can test: the texts used (predictions +
/// rowsScored) plus those <c>reserved</c>. A reservation is ONE conditional update that adds to <c>reserved</c>,
/// <c>charged</c> and the work's hold, <c>hold#{source}</c>, only while <c>charged</c> stays within the plan, so
/// concurrent writers never pass it and never lose each other's additions (every change is an <c>ADD</c>). A hold
/// lives <see cref="HoldLifetime"/> from its last reservation (<c>holdExpires#{source}</c>); a refused reservation
/// releases the expired holds it finds, so work that died without settling gives its reservation back. Settling
/// removes the hold on the condition that it is still there as read: the hold is the marker that the work counts once,
/// however often its settlement is attempted (a redelivered stream record, a retry).
/// </summary>
public sealed class UsageLedger(IAmazonDynamoDB db, Table table, Plan plan, TimeProvider time)
{
    public static readonly TimeSpan HoldLifetime = TimeSpan.FromHours(1);

    /// <summary>A reservation races other writers for the same room at most this often before it gives up.</summary>
    private const int Attempts = 3;

    /// <summary>The most keys one BatchGetItem may ask for.</summary>
    private const int BatchGetLimit = 100;

    /// <summary>
    /// The most holds one settlement update removes: 100 keep its update and condition expressions (16 characters a hold)
    /// well within DynamoDB's 4 KB for each, whatever the stream's batch size.
    /// </summary>
    private const int MostSourcesPerUpdate = 100;

    /// <summary>
    /// The settlement updates of a batch made at once: enough to overlap DynamoDB's round trips, few enough that a batch
    /// of a thousand users does not open a thousand connections from one instance.
    /// </summary>
    private const int UpdatesInFlight = 16;

    public Plan Plan => plan;

    public static string PredictionSource(string predictionId) => "prediction#" + predictionId;

    public static string UploadSource(string uploadId) => "upload#" + uploadId;

    /// <summary>
    /// Reserves <paramref name="texts"/> on the hold of <paramref name="source"/>, or as many as fit when fewer but at
    /// least <paramref name="least"/> do; answers how many it reserved, 0 when not even <paramref name="least"/> fit.
    /// </summary>
    public async Task<long> ReserveAsync(
        string userSub, string month, string source, long texts, long least, CancellationToken cancellationToken)
    {
        var want = texts;
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            if (await TryReserveAsync(userSub, month, source, want, cancellationToken)) return want;
            var item = await UsageItem.GetUsageItemAsync(db, table, userSub, month, cancellationToken);
            var charged = await ChargedAsync(userSub, month, item, cancellationToken);
            var released = await ReleaseExpiredAsync(userSub, month, item, cancellationToken);
            var room = plan.MonthlyTexts - (charged - released);
            if (room < least) return 0;
            want = Math.Min(texts, room);
        }
        return 0;
    }

    /// <summary>What the hold of <paramref name="source"/> has reserved so far; 0 when there is none.</summary>
    public async Task<long> HeldAsync(string userSub, string month, string source, CancellationToken cancellationToken)
    {
        var item = await UsageItem.GetUsageItemAsync(db, table, userSub, month, cancellationToken);
        return NumberAttribute.Read(item.GetValueOrDefault(UsageItem.HoldPrefix + source));
    }

    /// <summary>
    /// Replaces the hold of the settlement's source by what the work used; false when there is no such hold (settled
    /// already, or released after it expired).
    /// </summary>
    public async Task<bool> SettleAsync(UsageSettlement settlement, CancellationToken cancellationToken)
    {
        var item = await UsageItem.GetUsageItemAsync(db, table, settlement.UserSub, settlement.Month, cancellationToken);
        return (await SettleMonthAsync(settlement.UserSub, settlement.Month, [settlement], item, cancellationToken))[0];
    }

    /// <summary>
    /// Settles a batch of work, each exactly once as <see cref="SettleAsync"/> does, in one conditional update per user
    /// and month (<see cref="SettleMonthAsync"/>; one per <see cref="MostSourcesPerUpdate"/> sources), the usage items
    /// read together first (consistent BatchGetItem), <see cref="UpdatesInFlight"/> updates at a time. Answers what
    /// became of each settlement, in order; a write that fails fails only the settlements it carried.
    /// </summary>
    public async Task<IReadOnlyList<SettlementOutcome>> SettleAllAsync(
        IReadOnlyList<UsageSettlement> settlements, CancellationToken cancellationToken)
    {
        var outcomes = new SettlementOutcome[settlements.Count];
        var months = Enumerable.Range(0, settlements.Count)
            .GroupBy(index => (settlements[index].UserSub, settlements[index].Month))
            .ToList();
        Dictionary<(string, string), Dictionary<string, AttributeValue>> items;
        try
        {
            items = await ReadUsageItemsAsync(months.Select(month => month.Key).ToList(), cancellationToken);
        }
        catch (AmazonDynamoDBException failed)
        {
            Array.Fill(outcomes, new SettlementOutcome(false, failed));
            return outcomes;
        }
        var updates = months.SelectMany(month => month.Chunk(MostSourcesPerUpdate).Select(indexes => (month.Key, indexes)));
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = UpdatesInFlight, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(updates, parallel, async (update, _) =>
        {
            var ((userSub, name), indexes) = update;
            try
            {
                var settled = await SettleMonthAsync(userSub, name, indexes.Select(index => settlements[index]).ToList(),
                    items.GetValueOrDefault(ItemKey(userSub, name)) ?? [], cancellationToken);
                for (var i = 0; i < indexes.Length; i++) outcomes[indexes[i]] = new SettlementOutcome(settled[i], null);
            }
            catch (AmazonDynamoDBException failed)
            {
                foreach (var index in indexes) outcomes[index] = new SettlementOutcome(false, failed);
            }
        });
        return outcomes;
    }

    /// <summary>
    /// Settles one user's work of one month in ONE conditional update of the usage item: it removes every hold of the
    /// settlements' sources that <paramref name="item"/> still has and adds what their work used, on the condition that
    /// each of those holds is still as read. A source without a hold was settled before (a stream record delivered again)
    /// or released after it expired: it counts nothing, so the update is exactly once per source however often a batch
    /// comes. When the condition fails (a settlement, release or reservation of the same work came between), it answers
    /// the item as it then was (<c>ReturnValuesOnConditionCheckFailure</c>): the holds it no longer has were settled or
    /// released meanwhile, and the update is made again for the rest only. A purged account has no item: nothing is
    /// written back. Answers, for each settlement in order, whether it settled; a source named twice settles once.
    /// </summary>
    private async Task<bool[]> SettleMonthAsync(string userSub, string month, IReadOnlyList<UsageSettlement> settlements,
        Dictionary<string, AttributeValue> item, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var settled = new bool[settlements.Count];
            var names = new Dictionary<string, string>(Names)
            {
                ["#predictions"] = UsageItem.Predictions,
                ["#rowsScored"] = UsageItem.RowsScored,
                ["#uploads"] = UsageItem.Uploads,
                ["#bytes"] = UsageItem.Bytes,
            };
            var values = new Dictionary<string, AttributeValue>();
            var (removals, conditions) = (new List<string>(), new List<string>());
            var sources = new HashSet<string>();
            long held = 0, texts = 0, predictions = 0, rowsScored = 0, uploads = 0, bytes = 0;
            for (var i = 0; i < settlements.Count; i++)
            {
                var settlement = settlements[i];
                if (!item.TryGetValue(UsageItem.HoldPrefix + settlement.Source, out var hold) || !sources.Add(settlement.Source))
                    continue;
                var n = sources.Count;
                names[$"#h{n}"] = UsageItem.HoldPrefix + settlement.Source;
                names[$"#e{n}"] = UsageItem.HoldExpiresPrefix + settlement.Source;
                values[$":h{n}"] = hold;
                removals.Add($"#h{n}, #e{n}");
                conditions.Add($"#h{n} = :h{n}");
                held += NumberAttribute.Read(hold);
                (texts, predictions, rowsScored) = (texts + settlement.Texts, predictions + settlement.Predictions,
                    rowsScored + settlement.RowsScored);
                (uploads, bytes) = (uploads + settlement.Uploads, bytes + settlement.Bytes);
                settled[i] = true;
            }
            if (sources.Count == 0) return settled;
            values[":unreserved"] = NumberAttribute.Of(-held);
            values[":charged"] = NumberAttribute.Of(texts - held);
            values[":predictions"] = NumberAttribute.Of(predictions);
            values[":rowsScored"] = NumberAttribute.Of(rowsScored);
            values[":uploads"] = NumberAttribute.Of(uploads);
            values[":bytes"] = NumberAttribute.Of(bytes);
            values[":type"] = new() { S = UsageItem.Type };
            values[":now"] = new() { S = Timestamp.Of(time.GetUtcNow()) };
            try
            {
                await UpdateUsageItemAsync(userSub, month,
                    $"REMOVE {string.Join(", ", removals)} ADD #reserved :unreserved, #charged :charged, " +
                        "#predictions :predictions, #rowsScored :rowsScored, #uploads :uploads, #bytes :bytes " +
                        "SET #type = :type, #updatedAt = :now",
                    string.Join(" AND ", conditions), names, values, cancellationToken);
                return settled;
            }
            catch (ConditionalCheckFailedException changed) when (attempt < Attempts)
            {
                item = changed.Item ?? [];
            }
        }
    }

    /// <summary>
    /// The usage items of <paramref name="months"/> as stored (consistent reads), by <see cref="ItemKey"/>; a month without
    /// one is left out. Keys DynamoDB leaves unprocessed (it was busy) are asked for again after a pause.
    /// </summary>
    private async Task<Dictionary<(string, string), Dictionary<string, AttributeValue>>> ReadUsageItemsAsync(
        IReadOnlyList<(string UserSub, string Month)> months, CancellationToken cancellationToken)
    {
        var items = new Dictionary<(string, string), Dictionary<string, AttributeValue>>();
        foreach (var chunk in months.Chunk(BatchGetLimit))
        {
            var request = new Dictionary<string, KeysAndAttributes>
            {
                [table.Name] = new() { Keys = chunk.Select(m => UsageItem.Key(m.UserSub, m.Month)).ToList(), ConsistentRead = true },
            };
            for (var round = 0; request.Count > 0; round++)
            {
                if (round > 0) await Task.Delay(TimeSpan.FromMilliseconds(50 << Math.Min(round, 5)), time, cancellationToken);
                var response = await db.BatchGetItemAsync(request, cancellationToken);
                foreach (var found in response.Responses?.GetValueOrDefault(table.Name) ?? [])
                    items[(found[Table.PartitionKey].S, found[Table.SortKey].S)] = found;
                request = response.UnprocessedKeys ?? [];
            }
        }
        return items;
    }

    /// <summary>The usage item's partition and sort key values: how <see cref="ReadUsageItemsAsync"/> answers it.</summary>
    private static (string, string) ItemKey(string userSub, string month) =>
        (Table.UserPartition(userSub), UsageItem.SortKeyPrefix + month);

    private async Task<bool> TryReserveAsync(
        string userSub, string month, string source, long texts, CancellationToken cancellationToken)
    {
        if (texts <= 0 || texts > plan.MonthlyTexts) return false;
        var now = time.GetUtcNow();
        return await TryUpdateUsageItemAsync(userSub, month,
            "ADD #reserved :texts, #charged :texts, #hold :texts SET #expires = :expires, #type = :type, #updatedAt = :now",
            // A month's first reservation finds no counters; an item that has counters but no charged was written
            // before reservations existed and is refused here until ChargedAsync has counted it.
            "(attribute_not_exists(#charged) AND attribute_not_exists(#predictions) " +
                "AND attribute_not_exists(#rowsScored)) OR #charged <= :most",
            new(Names)
            {
                ["#hold"] = UsageItem.HoldPrefix + source,
                ["#expires"] = UsageItem.HoldExpiresPrefix + source,
                ["#predictions"] = UsageItem.Predictions,
                ["#rowsScored"] = UsageItem.RowsScored,
            },
            new()
            {
                [":texts"] = NumberAttribute.Of(texts),
                [":most"] = NumberAttribute.Of(plan.MonthlyTexts - texts),
                [":expires"] = NumberAttribute.Of((now + HoldLifetime).ToUnixTimeSeconds()),
                [":type"] = new() { S = UsageItem.Type },
                [":now"] = new() { S = Timestamp.Of(now) },
            },
            cancellationToken);
    }

    /// <summary>
    /// The item's <c>charged</c>. A usage item written before reservations existed has counters but no <c>charged</c>:
    /// it is set once from them (conditionally, so racing writers agree), so that month's earlier usage still counts.
    /// </summary>
    private async Task<long> ChargedAsync(
        string userSub, string month, Dictionary<string, AttributeValue> item, CancellationToken cancellationToken)
    {
        if (item.TryGetValue(UsageItem.Charged, out var charged)) return NumberAttribute.Read(charged);
        var used = NumberAttribute.Read(item.GetValueOrDefault(UsageItem.Predictions))
            + NumberAttribute.Read(item.GetValueOrDefault(UsageItem.RowsScored))
            + NumberAttribute.Read(item.GetValueOrDefault(UsageItem.Reserved));
        if (item.Count == 0) return used;
        // When the condition fails, another writer counted it first, from the same counters.
        await TryUpdateUsageItemAsync(userSub, month, "SET #charged = :used", "attribute_not_exists(#charged)",
            new() { ["#charged"] = UsageItem.Charged },
            new() { [":used"] = NumberAttribute.Of(used) },
            cancellationToken);
        return used;
    }

    /// <summary>Releases the item's expired holds, each on the condition that it is unchanged; answers the texts freed.</summary>
    private async Task<long> ReleaseExpiredAsync(
        string userSub, string month, Dictionary<string, AttributeValue> item, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        long released = 0;
        foreach (var (name, expires) in item)
        {
            var isHold = name.StartsWith(UsageItem.HoldExpiresPrefix, StringComparison.Ordinal);
            if (!isHold || NumberAttribute.Read(expires) > now) continue;
            var source = name[UsageItem.HoldExpiresPrefix.Length..];
            var held = NumberAttribute.Read(item.GetValueOrDefault(UsageItem.HoldPrefix + source));
            // When the condition fails, the hold was reserved again or settled since the read: not expired, or gone.
            var isReleased = await TryUpdateUsageItemAsync(userSub, month,
                "REMOVE #hold, #expires ADD #reserved :unreserved, #charged :unreserved",
                "#hold = :held AND #expires = :expires",
                new()
                {
                    ["#reserved"] = UsageItem.Reserved,
                    ["#charged"] = UsageItem.Charged,
                    ["#hold"] = UsageItem.HoldPrefix + source,
                    ["#expires"] = name,
                },
                new()
                {
                    [":held"] = NumberAttribute.Of(held),
                    [":unreserved"] = NumberAttribute.Of(-held),
                    [":expires"] = expires,
                },
                cancellationToken);
            if (isReleased) released += held;
        }
        return released;
    }

    /// <summary>
    /// One conditional update of the month's usage item: every change the ledger makes is one. A failed condition answers
    /// the item as it was (<see cref="SettleMonthAsync"/> reads it).
    /// </summary>
    private Task UpdateUsageItemAsync(
        string userSub, string month, string update, string condition, Dictionary<string, string> names,
        Dictionary<string, AttributeValue> values, CancellationToken cancellationToken) =>
        db.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = table.Name,
            Key = UsageItem.Key(userSub, month),
            UpdateExpression = update,
            ConditionExpression = condition,
            ExpressionAttributeNames = names,
            ExpressionAttributeValues = values,
            ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
        }, cancellationToken);

    /// <summary><see cref="UpdateUsageItemAsync"/>; false when its condition did not hold.</summary>
    private async Task<bool> TryUpdateUsageItemAsync(
        string userSub, string month, string update, string condition, Dictionary<string, string> names,
        Dictionary<string, AttributeValue> values, CancellationToken cancellationToken)
    {
        try
        {
            await UpdateUsageItemAsync(userSub, month, update, condition, names, values, cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    private static readonly Dictionary<string, string> Names = new()
    {
        ["#reserved"] = UsageItem.Reserved,
        ["#charged"] = UsageItem.Charged,
        ["#type"] = Table.ItemType,
        ["#updatedAt"] = UsageItem.UpdatedAt,
    };
}
