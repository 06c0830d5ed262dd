using System.Globalization;
using Serverless.Kernel.Events;
using Serverless.Metering;
using Serverless.ServiceDefaults;
using static Serverless.Kernel.Events.DynamoDBEvent;

namespace Serverless.Usage;

/// <summary>
/// What one stream record settles in a user's usage: a new prediction (<see cref="PredictionItem"/>) settles its hold by
/// its text count; an upload that ends (<see cref="MeteredUpload"/>) settles its hold by the rows it scored, and a
/// COMPLETED one adds 1 upload and its bytes. Both settle in their item's <see cref="MeteredItem.UsageMonth"/>.
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
        var status = image?.GetValueOrDefault(MeteredUpload.Status)?.S;
        var isPrediction = record.EventName == "INSERT"
            && image?.GetValueOrDefault(Table.ItemType)?.S == PredictionItem.Type;
        var isUploadEnd = record.EventName == "MODIFY"
            && SortKey(change.Keys).StartsWith(MeteredUpload.SortKeyPrefix, StringComparison.Ordinal)
            && status is MeteredUpload.Completed or MeteredUpload.Failed
            && change.OldImage?.GetValueOrDefault(MeteredUpload.Status)?.S == MeteredUpload.Processing;
        if (!isPrediction && !isUploadEnd || image?.GetValueOrDefault(MeteredItem.UsageMonth)?.S is not { } month)
            return null;

        var userSub = UserSub(change.Keys);
        if (isPrediction)
        {
            var predictionId = image.GetValueOrDefault(PredictionItem.PredictionId)?.S
                ?? throw new InvalidDataException($"NewImage.{PredictionItem.PredictionId} is missing.");
            var texts = Count(image, PredictionItem.TextCount);
            return new UsageSettlement(userSub, month, UsageLedger.PredictionSource(predictionId), texts, 0, 0, 0);
        }
        var rowsScored = Count(image, MeteredUpload.RowsProcessed) - Count(image, MeteredUpload.RowsFailed);
        if (rowsScored < 0)
            throw new InvalidDataException(
                $"NewImage.{MeteredUpload.RowsFailed} is more than NewImage.{MeteredUpload.RowsProcessed}.");
        var source = UsageLedger.UploadSource(SortKey(change.Keys)[MeteredUpload.SortKeyPrefix.Length..]);
        return status == MeteredUpload.Completed
            ? new UsageSettlement(userSub, month, source, 0, rowsScored, 1, Count(image, MeteredUpload.ObjectSize))
            : new UsageSettlement(userSub, month, source, 0, rowsScored, 0, 0);
    }

    private static string UserSub(Dictionary<string, AttributeValue> keys)
    {
        var partition = keys.GetValueOrDefault(Table.PartitionKey)?.S ?? "";
        var prefix = Table.UserPartitionPrefix;
        return partition.StartsWith(prefix, StringComparison.Ordinal) && partition.Length > prefix.Length
            ? partition[prefix.Length..]
            : throw new InvalidDataException($"Keys.{Table.PartitionKey} is '{partition}', not {prefix}{{sub}}.");
    }

    private static string SortKey(Dictionary<string, AttributeValue> keys) => keys.GetValueOrDefault(Table.SortKey)?.S ?? "";

    private static long Count(Dictionary<string, AttributeValue> image, string name) =>
        image.GetValueOrDefault(name)?.N is { } number
        && long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count
            : throw new InvalidDataException($"NewImage.{name} is missing or not a whole number ≥ 0.");
}
