using System.Globalization;
using Amazon.DynamoDBv2.Model;
using Serverless.ServiceDefaults;
using Serverless.Kernel.Aws;
using Serverless.Uploads.Parsing;

namespace Serverless.Uploads.Processing;

/// <summary>
/// The counts of an upload so far: rows read (scored and failed), rows failed, rows per label, and the first
/// failed row's reason (the FAILED reason when no row at all could be scored).
/// </summary>
public sealed class Tally
{
    private const string FirstErrorName = "firstError";

    public long RowsProcessed { get; private set; }
    public long RowsFailed { get; private set; }
    public SortedDictionary<string, long> LabelCounts { get; } = new(StringComparer.Ordinal);
    public string? FirstError { get; private set; }

    /// <summary>The rows the model scored: what the upload's usage counts.</summary>
    public long Scored => RowsProcessed - RowsFailed;

    public void Add(Row row, Classification? classification)
    {
        RowsProcessed++;
        if (classification is null)
        {
            RowsFailed++;
            FirstError ??= $"row {row.Number.ToString(CultureInfo.InvariantCulture)}: {row.Error}";
            return;
        }
        LabelCounts[classification.Label] = LabelCounts.GetValueOrDefault(classification.Label) + 1;
    }

    /// <summary>The counters as the upload item holds them.</summary>
    public Dictionary<string, AttributeValue> ToAttributes() => new()
    {
        [UploadAttribute.RowsProcessed] = NumberAttribute.Of(RowsProcessed),
        [UploadAttribute.RowsFailed] = NumberAttribute.Of(RowsFailed),
        [UploadAttribute.LabelCounts] =
            new() { M = LabelCounts.ToDictionary(pair => pair.Key, pair => NumberAttribute.Of(pair.Value)) },
    };

    /// <summary>
    /// The counters and the first error as a checkpoint keeps them. The item's own counters move on with every progress
    /// write after the checkpoint, so a continuation (or a retry of one) goes on from these, never from the item's.
    /// </summary>
    public Dictionary<string, AttributeValue> ToCheckpointAttributes()
    {
        var attributes = ToAttributes();
        if (FirstError is { } error) attributes[FirstErrorName] = new() { S = error };
        return attributes;
    }

    /// <summary>
    /// The tally a checkpoint saved (<see cref="ToCheckpointAttributes"/>), or the upload item's own counters, which have the
    /// same names (and no first error).
    /// </summary>
    public static Tally From(Dictionary<string, AttributeValue> checkpoint)
    {
        var tally = new Tally
        {
            RowsProcessed = NumberAttribute.Read(checkpoint.GetValueOrDefault(UploadAttribute.RowsProcessed)),
            RowsFailed = NumberAttribute.Read(checkpoint.GetValueOrDefault(UploadAttribute.RowsFailed)),
            FirstError = checkpoint.GetValueOrDefault(FirstErrorName)?.S,
        };
        foreach (var (label, count) in checkpoint.GetValueOrDefault(UploadAttribute.LabelCounts)?.M ?? [])
            tally.LabelCounts[label] = NumberAttribute.Read(count);
        return tally;
    }
}
