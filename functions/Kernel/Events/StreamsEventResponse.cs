using System.Text.Json.Serialization;

namespace Serverless.Kernel.Events;

/// <summary>
/// A stream handler's partial batch response (<c>ReportBatchItemFailures</c> must be on for the event source
/// mapping). Lambda checkpoints before the failed record with the lowest sequence number and retries from it;
/// an empty list means the whole batch succeeded. Names follow the official
/// <c>Amazon.Lambda.DynamoDBEvents.StreamsEventResponse</c>.
/// </summary>
public sealed class StreamsEventResponse
{
    [JsonPropertyName("batchItemFailures")] public List<BatchItemFailure> BatchItemFailures { get; set; } = [];

    public sealed class BatchItemFailure
    {
        /// <summary>
        /// The failed record's <see cref="DynamoDBEvent.StreamRecord.SequenceNumber"/>, not its event ID.
        /// An empty or unknown identifier makes Lambda treat the whole batch as failed.
        /// </summary>
        [JsonPropertyName("itemIdentifier")] public string ItemIdentifier { get; set; } = "";
    }
}
