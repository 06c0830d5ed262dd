using Serverless.Kernel.Aws;

namespace Serverless.Local.Streams;

/// <summary>
/// Reads one shard in order and hands its records, filtered, to <see cref="BatchDelivery"/> in batches: a batch goes
/// when it holds <c>BatchSize</c> records, when <c>MaximumBatchingWindowInSeconds</c> has passed since its first record
/// (at once without a window), or when a closed shard ends. The next batch is read only after the last one is done,
/// so records of one key reach the function in the order they were written. Polls an idle shard four times a second,
/// as Lambda does.
/// </summary>
public sealed class ShardReader(StreamEventSource source, DynamoDbStreamsApi api, BatchDelivery delivery, TimeProvider time,
    Action<string> log)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Reads until a closed shard ends (then returns) or until cancelled.</summary>
    /// <param name="startingPosition"><c>TRIM_HORIZON</c> or <c>LATEST</c>.</param>
    public async Task ReadAsync(string shardId, string startingPosition, CancellationToken cancellationToken)
    {
        string? lastRead = null;
        var buffer = new List<StreamRecord>();
        DateTimeOffset? windowStart = null;
        string? iterator = null;
        while (true)
        {
            List<System.Text.Json.Nodes.JsonObject> records;
            string? next;
            try
            {
                iterator ??= await api.GetShardIteratorAsync(source.StreamArn, shardId, startingPosition, lastRead, cancellationToken);
                (records, next) = await api.GetRecordsAsync(iterator, source.BatchSize - buffer.Count, cancellationToken);
            }
            catch (Exception error) when (!cancellationToken.IsCancellationRequested)
            {
                // An expired iterator, or DynamoDB Local busy or restarting: go on right after the last record read.
                await PauseAfterAsync(error, shardId, cancellationToken);
                iterator = null;
                continue;
            }
            foreach (var record in records)
            {
                var streamRecord = StreamRecord.FromGetRecords(record, source.StreamArn);
                lastRead = streamRecord.SequenceNumber;
                if (source.Filter.Matches(streamRecord.LambdaRecord)) buffer.Add(streamRecord);
            }
            if (buffer.Count > 0) windowStart ??= time.GetUtcNow();
            var waited = windowStart is { } start ? time.GetUtcNow() - start : TimeSpan.Zero;
            if (buffer.Count > 0 && (buffer.Count >= source.BatchSize || waited >= source.BatchingWindow || next is null))
            {
                await delivery.DeliverAsync(shardId, buffer.ToList(), cancellationToken);
                buffer.Clear();
                windowStart = null;
            }
            if (next is null)
            {
                log($"[{source.FunctionName}] shard {shardId} read to its end");
                return;
            }
            iterator = next;
            if (records.Count == 0)
                await Task.Delay(IdlePause(buffer.Count, waited), time, cancellationToken);
        }
    }

    /// <summary>An expired iterator is renewed at once; any other failure is logged and retried a second later.</summary>
    private async Task PauseAfterAsync(Exception error, string shardId, CancellationToken cancellationToken)
    {
        if (error is AwsServiceException { ErrorCode: "ExpiredIteratorException" }) return;
        log($"[{source.FunctionName}] GetRecords on {shardId} failed, retrying: {error.Message}");
        await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
    }

    /// <summary>How long to wait after an empty page: the poll interval, or less when a batching window closes sooner.</summary>
    private TimeSpan IdlePause(int buffered, TimeSpan waited)
    {
        var pause = buffered > 0 && source.BatchingWindow - waited < PollInterval ? source.BatchingWindow - waited : PollInterval;
        return pause > TimeSpan.Zero ? pause : TimeSpan.Zero;
    }
}
