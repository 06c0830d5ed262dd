using System.Globalization;
using Serverless.Local.Lambda;

namespace Serverless.Local.Streams;

/// <summary>
/// Delivers one batch of a shard to the function synchronously, as Lambda's event source mapping does, and returns
/// only when every record of it is done: processed, or given up on and sent to the on-failure destination.
/// <list type="bullet">
/// <item>A function error fails the whole batch. With <c>BisectBatchOnFunctionError</c> a failed batch of more than one
/// record is split in two halves, tried in order, without using up a retry.</item>
/// <item>With <c>ReportBatchItemFailures</c> the records before the lowest reported failure are done and only the rest is
/// retried (an invalid report fails the whole batch).</item>
/// <item>A batch retried <c>MaximumRetryAttempts</c> times, or holding records older than <c>MaximumRecordAgeInSeconds</c>,
/// is given up on (<c>RetryAttemptsExhausted</c>, <c>RecordAgeExceeded</c>). Retries back off, as Lambda's do.</item>
/// <item>A batch Lambda throttled (<see cref="InvocationRefusedException.IsThrottle"/>) never ran: it is tried again with the
/// same backoff without using up a retry, until it runs or its records grow too old.</item>
/// </list>
/// </summary>
public sealed class BatchDelivery(StreamEventSource source, LambdaService lambda, OnFailureDestination destination, TimeProvider time,
    Action<string> log)
{
    public async Task DeliverAsync(string shardId, IReadOnlyList<StreamRecord> batch, CancellationToken cancellationToken)
    {
        var pending = new Stack<(IReadOnlyList<StreamRecord> Records, int Failures)>();
        pending.Push((batch, 0));
        var throttles = 0;
        while (pending.TryPop(out var work))
        {
            var (records, failures) = work;
            if (source.MaximumRecordAge is { } maximumAge)
            {
                var expired = records.TakeWhile(record => time.GetUtcNow() - record.Created > maximumAge).ToList();
                if (expired.Count > 0)
                {
                    await destination.SendAsync(source, shardId, expired, "RecordAgeExceeded", failures, null, null, cancellationToken);
                    records = records.Skip(expired.Count).ToList();
                    if (records.Count == 0) continue;
                }
            }

            if (await InvokeAsync(records, cancellationToken) is not { } result)
            {
                if (++throttles == 1) log($"[{source.FunctionName}] throttled on {shardId}: retrying the batch with backoff");
                await Task.Delay(Backoff(throttles), time, cancellationToken);
                pending.Push((records, failures));
                continue;
            }
            throttles = 0;
            var firstFailed = result.FunctionError is not null ? 0
                : source.ReportBatchItemFailures ? BatchResponse.FirstFailed(result.Payload, records)
                : records.Count;
            if (firstFailed == records.Count) continue;

            if (result.FunctionError is not null && source.BisectBatchOnFunctionError && records.Count > 1)
            {
                var half = records.Count / 2;
                pending.Push((records.Skip(half).ToList(), failures));
                pending.Push((records.Take(half).ToList(), failures));
                log($"[{source.FunctionName}] function error on {records.Count} records of {shardId}: "
                    + $"bisecting into {half} and {records.Count - half}");
                continue;
            }

            var failing = records.Skip(firstFailed).ToList();
            failures++;
            if (source.MaximumRetryAttempts >= 0 && failures > source.MaximumRetryAttempts)
            {
                await destination.SendAsync(source, shardId, failing, "RetryAttemptsExhausted", failures, null, result.FunctionError,
                    cancellationToken);
                continue;
            }
            var limit = source.MaximumRetryAttempts < 0 ? "unlimited" : source.MaximumRetryAttempts.ToString(CultureInfo.InvariantCulture);
            log($"[{source.FunctionName}] {(result.FunctionError is not null ? "function error" : "batch item failure")} on {shardId}: "
                + $"retry {failures} of {limit} from {failing[0].SequenceNumber} ({failing.Count} records)");
            await Task.Delay(Backoff(failures), time, cancellationToken);
            pending.Push((failing, failures));
        }
    }

    /// <summary>100 ms, doubling with each retry up to 25.6 s.</summary>
    private static TimeSpan Backoff(int retry) => TimeSpan.FromMilliseconds(100 << Math.Min(retry - 1, 8));

    /// <summary>The invocation's outcome; null when Lambda throttled it.</summary>
    private async Task<InvocationResult?> InvokeAsync(IReadOnlyList<StreamRecord> records, CancellationToken cancellationToken)
    {
        try
        {
            return await lambda.InvokeAsync(source.FunctionName, StreamRecord.Event(records), cancellationToken);
        }
        catch (InvocationRefusedException refused) when (refused.IsThrottle)
        {
            return null;
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // Lambda could not run the function at all (e.g. it is not registered): retried like an error.
            return InvocationResult.Error(error.GetType().Name, error.Message, TimeSpan.Zero);
        }
    }
}
