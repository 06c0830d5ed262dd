using System.Globalization;
using Serverless.Kernel.Events;
using Serverless.ServiceDefaults;
using static Serverless.Kernel.Events.DynamoDBEvent;

namespace Serverless.Usage;

/// <summary>
/// What one stream record settles in a user's usage: a new prediction settles its hold by its <c>textCount</c>
/// predictions; an upload going from PROCESSING to COMPLETED or FAILED settles its hold by the rows it scored
/// (<c>rowsProcessed − rowsFailed</c>), and a COMPLETED one adds 1 upload and its <c>objectSize</c> bytes. Both
/// settle in their item's <c>usageMonth</c>, where the work reserved; an item without one reserved nothing and settles
/// nothing.
/// </summary>
public static class UsageChange
{
    /// <summary>The settlement a record makes, or null when it is nothing to settle.</summary>
    /// <exception cref="InvalidDataException">The record is one to settle but cannot be read: it says why.</exception>
    public static UsageSettlement? From(DynamodbStreamRecord record)
    {
        if (record.InvalidReason is { } reason) throw new InvalidDataException(reason);
        var change = record.Dynamodb;
        var image = change.NewImage;
        var status = image?.GetValueOrDefault("status")?.S;
        var isPrediction = record.EventName == "INSERT" && image?.GetValueOrDefault("type")?.S == Table.PredictionType;
        var isUploadEnd = record.EventName == "MODIFY"
            && SortKey(change.Keys).StartsWith(Table.UploadSortKeyPrefix, StringComparison.Ordinal)
            && status is Table.UploadCompleted or Table.UploadFailed
            && change.OldImage?.GetValueOrDefault("status")?.S == Table.UploadProcessing;
        if (!isPrediction && !isUploadEnd || image?.GetValueOrDefault("usageMonth")?.S is not { } month) return null;

        var partition = change.Keys.GetValueOrDefault(Table.PartitionKey)?.S ?? "";
        if (!partition.StartsWith(Table.UserPartitionPrefix, StringComparison.Ordinal) || partition.Length == Table.UserPartitionPrefix.Length)
            throw new InvalidDataException($"Keys.{Table.PartitionKey} is '{partition}', not {Table.UserPartitionPrefix}{{sub}}.");
        var userSub = partition[Table.UserPartitionPrefix.Length..];
        if (isPrediction)
        {
            var predictionId = image.GetValueOrDefault("predictionId")?.S
                ?? throw new InvalidDataException("NewImage.predictionId is missing.");
            var texts = Count(image, "textCount");
            return new UsageSettlement(userSub, month, UsageLedger.PredictionSource(predictionId), texts, 0, 0, 0);
        }
        var rowsScored = Count(image, "rowsProcessed") - Count(image, "rowsFailed");
        if (rowsScored < 0) throw new InvalidDataException("NewImage.rowsFailed is more than NewImage.rowsProcessed.");
        var source = UsageLedger.UploadSource(SortKey(change.Keys)[Table.UploadSortKeyPrefix.Length..]);
        return status == Table.UploadCompleted
            ? new UsageSettlement(userSub, month, source, 0, rowsScored, 1, Count(image, "objectSize"))
            : new UsageSettlement(userSub, month, source, 0, rowsScored, 0, 0);
    }

    private static string SortKey(Dictionary<string, AttributeValue> keys) => keys.GetValueOrDefault(Table.SortKey)?.S ?? "";

    private static long Count(Dictionary<string, AttributeValue> image, string name) =>
        image.GetValueOrDefault(name)?.N is { } number && long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count
            : throw new InvalidDataException($"NewImage.{name} is missing or not a whole number ≥ 0.");
}
