using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Amazon.DynamoDBv2.Model;

namespace Serverless.ServiceDefaults;

/// <summary>One page of a list endpoint: the items, newest first, and the cursor of the next page (absent on the last).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>
/// A list request's paging (<c>?limit=&amp;cursor=</c>) over the items in one user's partition whose sort key starts with
/// <see cref="SortKeyPrefix"/>. The cursor is opaque to clients: the base64url of the last sort key only. The partition
/// always comes from the caller's token, so no cursor can page into another user's items, and one that does not fit is a 400.
/// </summary>
public sealed record PageRequest(string Partition, string SortKeyPrefix, int Limit, Dictionary<string, AttributeValue>? ExclusiveStartKey)
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    /// <summary>
    /// Reads <paramref name="limit"/> and <paramref name="cursor"/>; null with the reasons when either is invalid. The limit
    /// comes as the query's text: the compile-time request delegates answer a bare 400 for a number that does not parse.
    /// </summary>
    public static PageRequest? TryCreate(
        string? limit, string? cursor, string partition, string sortKeyPrefix, out Dictionary<string, string[]> errors)
    {
        errors = [];
        var count = DefaultLimit;
        if (!string.IsNullOrEmpty(limit))
        {
            if (!int.TryParse(limit, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out count))
                errors["limit"] = ["Must be a whole number."];
            else if (count is < 1 or > MaxLimit)
                errors["limit"] = [$"limit must be between 1 and {MaxLimit}."];
        }
        Dictionary<string, AttributeValue>? start = null;
        if (cursor is not null)
        {
            if (Decode(cursor) is { } sortKey && sortKey.StartsWith(sortKeyPrefix, StringComparison.Ordinal))
                start = new() { [Table.PartitionKey] = new() { S = partition }, [Table.SortKey] = new() { S = sortKey } };
            else
                errors["cursor"] = ["cursor is not one this API gave out."];
        }
        return errors.Count == 0 ? new PageRequest(partition, sortKeyPrefix, count, start) : null;
    }

    /// <summary>
    /// The query for this page, greatest sort key (newest) first, read consistently so a list shows what was just written.
    /// It asks for one item more than the page holds, so that <see cref="ToPage"/> knows whether another page follows.
    /// </summary>
    public QueryRequest NewestFirst(Table table) => new()
    {
        TableName = table.Name,
        KeyConditionExpression = "PK = :pk AND begins_with(SK, :prefix)",
        ExpressionAttributeValues = new()
        {
            [":pk"] = new() { S = Partition },
            [":prefix"] = new() { S = SortKeyPrefix },
        },
        ScanIndexForward = false,
        Limit = Limit + 1,
        ExclusiveStartKey = ExclusiveStartKey,
        ConsistentRead = true,
    };

    /// <summary>
    /// The page a <see cref="NewestFirst"/> query answered: at most <see cref="Limit"/> items, and a cursor only when more
    /// follow: an item came back beyond the page, or DynamoDB stopped at its 1 MB limit (then its last evaluated key is
    /// the last item it returned). A page that ends exactly at the last item has no cursor, so none leads to an empty page.
    /// </summary>
    public Page<T> ToPage<T>(QueryResponse response, Func<Dictionary<string, AttributeValue>, T> map)
    {
        var items = response.Items ?? [];
        return items.Count > Limit
            ? new Page<T>(items.Take(Limit).Select(map).ToList(), NextCursor(items[Limit - 1]))
            : new Page<T>(items.Select(map).ToList(), NextCursor(response.LastEvaluatedKey));
    }

    /// <summary>The cursor of the page after the one a query answered with <paramref name="lastEvaluatedKey"/>.</summary>
    public static string? NextCursor(Dictionary<string, AttributeValue>? lastEvaluatedKey) =>
        lastEvaluatedKey is not null && lastEvaluatedKey.TryGetValue(Table.SortKey, out var sortKey)
            ? Base64Url.EncodeToString(Encoding.UTF8.GetBytes(sortKey.S))
            : null;

    // Strict: bytes that are not UTF-8 would otherwise decode to U+FFFD and pass for a sort key this API never gave out.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static string? Decode(string cursor)
    {
        if (cursor.Length is 0 or > 1024) return null;
        try
        {
            return StrictUtf8.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (Exception error) when (error is FormatException or DecoderFallbackException)
        {
            return null;
        }
    }
}
