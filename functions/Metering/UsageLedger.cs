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
        for (var attempt = 1; ; attempt++)
        {
            var item = await UsageItem.GetUsageItemAsync(db, table, settlement.UserSub, settlement.Month, cancellationToken);
            if (!item.TryGetValue(UsageItem.HoldPrefix + settlement.Source, out var hold)) return false;
            var held = NumberAttribute.Read(hold);
            try
            {
                await UpdateUsageItemAsync(settlement.UserSub, settlement.Month,
                    "REMOVE #hold, #expires ADD #reserved :unreserved, #charged :charged, " +
                        "#predictions :predictions, #rowsScored :rowsScored, #uploads :uploads, #bytes :bytes " +
                        "SET #type = :type, #updatedAt = :now",
                    "#hold = :held",
                    new(Names)
                    {
                        ["#hold"] = UsageItem.HoldPrefix + settlement.Source,
                        ["#expires"] = UsageItem.HoldExpiresPrefix + settlement.Source,
                        ["#predictions"] = UsageItem.Predictions,
                        ["#rowsScored"] = UsageItem.RowsScored,
                        ["#uploads"] = UsageItem.Uploads,
                        ["#bytes"] = UsageItem.Bytes,
                    },
                    new()
                    {
                        [":held"] = NumberAttribute.Of(held),
                        [":unreserved"] = NumberAttribute.Of(-held),
                        [":charged"] = NumberAttribute.Of(settlement.Texts - held),
                        [":predictions"] = NumberAttribute.Of(settlement.Predictions),
                        [":rowsScored"] = NumberAttribute.Of(settlement.RowsScored),
                        [":uploads"] = NumberAttribute.Of(settlement.Uploads),
                        [":bytes"] = NumberAttribute.Of(settlement.Bytes),
                        [":type"] = new() { S = UsageItem.Type },
                        [":now"] = new() { S = Timestamp.Of(time.GetUtcNow()) },
                    },
                    cancellationToken);
                return true;
            }
            catch (ConditionalCheckFailedException) when (attempt < Attempts)
            {
                // The work reserved more (or another settlement won) since the read: read the hold again.
            }
        }
    }

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

    /// <summary>One conditional update of the month's usage item: every change the ledger makes is one.</summary>
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
