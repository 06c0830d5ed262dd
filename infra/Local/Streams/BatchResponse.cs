using System.Text.Json;

namespace Serverless.Local.Streams;

/// <summary>
/// How Lambda reads a stream function's answer when <c>ReportBatchItemFailures</c> is on: a null or empty answer
/// or an empty <c>batchItemFailures</c> list is success; otherwise the records from the failed one with the lowest
/// sequence number onwards are retried. An <c>itemIdentifier</c> that is null, empty or names no record of the
/// batch (or an answer that is not JSON) fails the whole batch.
/// </summary>
public static class BatchResponse
{
    /// <summary>The index of the first record to retry: <c>batch.Count</c> when all succeeded, 0 when the whole batch failed.</summary>
    public static int FirstFailed(byte[] payload, IReadOnlyList<StreamRecord> batch)
    {
        JsonElement root;
        try
        {
            if (payload.Length == 0) return batch.Count;
            using var document = JsonDocument.Parse(payload);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return 0;
        }
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("batchItemFailures", out var failures)
            || failures.ValueKind == JsonValueKind.Null)
            return root.ValueKind is JsonValueKind.Object or JsonValueKind.Null ? batch.Count : 0;
        if (failures.ValueKind != JsonValueKind.Array) return 0;
        var first = batch.Count;
        foreach (var failure in failures.EnumerateArray())
        {
            var identifier = failure.ValueKind == JsonValueKind.Object && failure.TryGetProperty("itemIdentifier", out var id)
                && id.ValueKind == JsonValueKind.String
                ? id.GetString()
                : null;
            var index = string.IsNullOrEmpty(identifier) ? -1 : IndexOf(batch, identifier);
            if (index < 0) return 0;
            first = Math.Min(first, index);
        }
        return first;
    }

    private static int IndexOf(IReadOnlyList<StreamRecord> batch, string sequenceNumber)
    {
        for (var i = 0; i < batch.Count; i++)
            if (batch[i].SequenceNumber == sequenceNumber) return i;
        return -1;
    }
}
