using System.Globalization;
using Serverless.Kernel.Events;
using Serverless.ServiceDefaults;
using static Serverless.Kernel.Events.DynamoDBEvent;

namespace Serverless.Usage;

/// <summary>
/// What one stream record adds to a user's usage in a month: a new prediction adds its <c>textCount</c> to
/// <c>predictions</c>; an upload that becomes <c>COMPLETED</c> adds 1 upload, its scored rows
/// (<c>rowsProcessed − rowsFailed</c>) and its <c>objectSize</c> bytes. <see cref="Source"/> names the item whose
/// change it is (its sort key): each source counts once, however often its record is delivered.
/// </summary>
public sealed record UsageChange(string UserSub, string Month, string Source, long Predictions, long RowsScored, long Uploads, long Bytes)
{
    /// <summary>The change a record makes, or null when it is nothing to meter.</summary>
    /// <exception cref="InvalidDataException">The record is one to meter but cannot be read: it says why.</exception>
    public static UsageChange? From(DynamodbStreamRecord record)
    {
        if (record.InvalidReason is { } reason) throw new InvalidDataException(reason);
        var change = record.Dynamodb;
        var image = change.NewImage;
        var isPrediction = record.EventName == "INSERT" && image?.GetValueOrDefault("type")?.S == Table.PredictionType;
        var isCompletion = record.EventName == "MODIFY"
            && SortKey(change.Keys).StartsWith(Table.UploadSortKeyPrefix, StringComparison.Ordinal)
            && image?.GetValueOrDefault("status")?.S == Table.UploadCompleted
            && change.OldImage?.GetValueOrDefault("status")?.S != Table.UploadCompleted;
        if (!isPrediction && !isCompletion) return null;

        var partition = change.Keys.GetValueOrDefault(Table.PartitionKey)?.S ?? "";
        if (!partition.StartsWith(Table.UserPartitionPrefix, StringComparison.Ordinal) || partition.Length == Table.UserPartitionPrefix.Length)
            throw new InvalidDataException($"Keys.{Table.PartitionKey} is '{partition}', not {Table.UserPartitionPrefix}{{sub}}.");
        var userSub = partition[Table.UserPartitionPrefix.Length..];
        var month = UsageItem.Month(change.ApproximateCreationTime);
        if (isPrediction)
            return new UsageChange(userSub, month, SortKey(change.Keys), Count(image!, "textCount"), 0, 0, 0);
        var rowsScored = Count(image!, "rowsProcessed") - Count(image!, "rowsFailed");
        if (rowsScored < 0) throw new InvalidDataException("NewImage.rowsFailed is more than NewImage.rowsProcessed.");
        return new UsageChange(userSub, month, SortKey(change.Keys), 0, rowsScored, 1, Count(image!, "objectSize"));
    }

    private static string SortKey(Dictionary<string, AttributeValue> keys) => keys.GetValueOrDefault(Table.SortKey)?.S ?? "";

    private static long Count(Dictionary<string, AttributeValue> image, string name) =>
        image.GetValueOrDefault(name)?.N is { } number && long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count
            : throw new InvalidDataException($"NewImage.{name} is missing or not a whole number ≥ 0.");
}
