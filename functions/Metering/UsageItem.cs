using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.ServiceDefaults;

namespace Serverless.Metering;

/// <summary>A user's usage in one calendar month (UTC), and the texts reserved for work under way.</summary>
public sealed record MonthlyUsage(
    string Month, long Predictions, long RowsScored, long Uploads, long Bytes, long Reserved)
{
    /// <summary>What the plan's monthly text quota counts: texts classified by POST /predictions plus rows scored by uploads.</summary>
    public long Texts => Predictions + RowsScored;
}

/// <summary>
/// The usage item, <c>USER#{sub}</c> / <c>USAGE#{yyyy-MM}</c>: the counters of settled work, the texts reserved for
/// work under way and its holds, all written by <see cref="UsageLedger"/> alone; GET /usage and quota checks read it.
/// A month without usage has no item: all zero.
/// </summary>
public static class UsageItem
{
    public const string SortKeyPrefix = "USAGE#";
    public const string Predictions = "predictions";
    public const string RowsScored = "rowsScored";
    public const string Uploads = "uploads";
    public const string Bytes = "bytes";
    public const string Reserved = "reserved";

    /// <summary>Texts used plus texts reserved: the one number a reservation's condition tests.</summary>
    public const string Charged = "charged";

    /// <summary>A hold, <c>hold#{source}</c>: the texts reserved for one piece of work, until it is settled.</summary>
    public const string HoldPrefix = "hold#";

    /// <summary>When the hold of the same source expires, <c>holdExpires#{source}</c> (epoch seconds).</summary>
    public const string HoldExpiresPrefix = "holdExpires#";

    public const string UpdatedAt = "updatedAt";

    /// <summary>The <c>type</c> attribute's value.</summary>
    public const string Type = "USAGE";

    /// <summary>The calendar month of an instant, UTC: <c>yyyy-MM</c>.</summary>
    public static string Month(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>
    /// The first instant of the month after the one <paramref name="time"/> is in, UTC: when usage starts again from zero.
    /// </summary>
    public static DateTimeOffset NextMonthStart(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
    }

    public static Dictionary<string, AttributeValue> Key(string userSub, string month) => new()
    {
        [Table.PartitionKey] = new() { S = Table.UserPartition(userSub) },
        [Table.SortKey] = new() { S = SortKeyPrefix + month },
    };

    /// <summary>The month's usage item as stored (a consistent read); empty when the month has none.</summary>
    public static async Task<Dictionary<string, AttributeValue>> GetUsageItemAsync(
        IAmazonDynamoDB db, Table table, string userSub, string month, CancellationToken cancellationToken)
    {
        var request = new GetItemRequest { TableName = table.Name, Key = Key(userSub, month), ConsistentRead = true };
        var response = await db.GetItemAsync(request, cancellationToken);
        return response.IsItemSet ? response.Item : [];
    }

    public static async Task<MonthlyUsage> GetAsync(
        IAmazonDynamoDB db, Table table, string userSub, string month, CancellationToken cancellationToken)
    {
        var item = await GetUsageItemAsync(db, table, userSub, month, cancellationToken);
        long Counter(string name) => NumberAttribute.Read(item.GetValueOrDefault(name));
        return new MonthlyUsage(
            month, Counter(Predictions), Counter(RowsScored), Counter(Uploads), Counter(Bytes), Counter(Reserved));
    }
}
