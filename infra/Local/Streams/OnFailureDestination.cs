using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Local.Lambda;

namespace Serverless.Local.Streams;

/// <summary>
/// Where a stream mapping sends what it gives up on: locally, one JSON file per discarded batch under
/// <c>{state}/failures/{function}/</c>, in the shape Lambda sends to an SQS or SNS on-failure destination for a
/// DynamoDB stream (<c>requestContext</c>, <c>responseContext</c>, <c>version</c>, <c>timestamp</c>,
/// <c>DDBStreamBatchInfo</c>: metadata only, the records stay in the stream), plus a log line naming the file.
/// Without a destination the records are only dropped, and logged.
/// </summary>
public sealed class OnFailureDestination(string failuresDirectory, TimeProvider time, Action<string> log)
{
    /// <summary><c>RetryAttemptsExhausted</c> or <c>RecordAgeExceeded</c>.</summary>
    public async Task SendAsync(StreamEventSource source, string shardId, IReadOnlyList<StreamRecord> batch, string condition,
        int invokeCount, string? requestId, string? functionError, CancellationToken cancellationToken)
    {
        var what = $"[{source.FunctionName}] {condition}: dropped {batch.Count} stream record(s) "
            + $"{batch[0].SequenceNumber}..{batch[^1].SequenceNumber} of {shardId} after {invokeCount} invocation(s)";
        if (source.OnFailureDestination is null)
        {
            log($"{what}; no on-failure destination");
            return;
        }
        var now = time.GetUtcNow();
        var responseContext = new JsonObject { ["statusCode"] = 200, ["executedVersion"] = "$LATEST" };
        if (functionError is not null) responseContext["functionError"] = functionError;
        var record = new JsonObject
        {
            ["requestContext"] = new JsonObject
            {
                ["requestId"] = requestId ?? Guid.NewGuid().ToString(),
                ["functionArn"] = source.FunctionArn,
                ["condition"] = condition,
                ["approximateInvokeCount"] = invokeCount,
            },
            ["responseContext"] = responseContext,
            ["version"] = "1.0",
            ["timestamp"] = now.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
            ["DDBStreamBatchInfo"] = new JsonObject
            {
                ["shardId"] = shardId,
                ["startSequenceNumber"] = batch[0].SequenceNumber,
                ["endSequenceNumber"] = batch[^1].SequenceNumber,
                ["approximateArrivalOfFirstRecord"] = Seconds(batch[0].Created),
                ["approximateArrivalOfLastRecord"] = Seconds(batch[^1].Created),
                ["batchSize"] = batch.Count,
                ["streamArn"] = source.StreamArn,
            },
        };
        var path = Path.Combine(failuresDirectory, source.FunctionName, $"{now:yyyyMMddTHHmmssfff}-{batch[0].SequenceNumber}.json");
        await FailureRecordFile.WriteAsync(path, record.ToJsonString(Indented), cancellationToken);
        log($"{what}; on-failure record for {source.OnFailureDestination} in {path}");
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>DynamoDB's batch info gives arrival times to the second.</summary>
    private static string Seconds(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ",
        System.Globalization.CultureInfo.InvariantCulture);
}
