using Amazon.DynamoDBv2;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Kernel.Events;
using Serverless.Kernel.Metrics;
using Serverless.Kernel.Runtime;
using Serverless.Metering;
using Serverless.ServiceDefaults;

namespace Serverless.Usage;

/// <summary>
/// The table's stream (<c>ReportBatchItemFailures</c> on): settles the reservations of new predictions and of uploads
/// that ended (COMPLETED or FAILED) in the users' monthly usage items (<see cref="UsageChange"/>), each exactly once, a
/// batch in one conditional update per user and month (<see cref="UsageLedger.SettleAllAsync"/>): settling removes the
/// work's hold, so a record delivered again (a retry, a bisected half, a redelivered batch) finds none. A record that
/// cannot be read or settled is reported as a batch item failure, with a log line naming it; every other record of the
/// batch still counts (Lambda retries from the failed record with the lowest sequence number, and the records after it
/// then find their holds gone). Each settlement adds how long after its record was written it came
/// (<see cref="MetricNames.MeteringLag"/>).
/// </summary>
public sealed class MeterUsage(UsageLedger ledger, TimeProvider time, ILogger<MeterUsage> logger)
    : ReactiveHandler<DynamoDBEvent, StreamsEventResponse>(
        KernelJsonContext.Default.DynamoDBEvent, KernelJsonContext.Default.StreamsEventResponse)
{
    public static void AddServices(IServiceCollection services) =>
        services.AddFunctionDefaults().AddMetering();

    public override Task<StreamsEventResponse> HandleAsync(DynamoDBEvent batch, LambdaContext context) =>
        HandleAsync(batch, ledger, time, logger, context.CancellationToken);

    public static async Task<StreamsEventResponse> HandleAsync(
        DynamoDBEvent batch, UsageLedger ledger, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var records = batch.Records;
        var failed = new bool[records.Count];
        var changes = new List<(DynamoDBEvent.DynamodbStreamRecord Record, int Index, UsageSettlement Change)>();
        for (var index = 0; index < records.Count; index++)
        {
            var record = records[index];
            try
            {
                if (UsageChange.From(record) is { } change) changes.Add((record, index, change));
            }
            catch (InvalidDataException bad)
            {
                logger.LogError(
                    "Bad stream record {EventId} (sequence number {SequenceNumber}, {EventName} of {Key}): {Reason}",
                    record.EventID, record.Dynamodb.SequenceNumber, record.EventName, Key(record), bad.Message);
                failed[index] = true;
            }
        }

        var outcomes = await ledger.SettleAllAsync(changes.Select(change => change.Change).ToList(), cancellationToken);
        for (var i = 0; i < changes.Count; i++)
        {
            var (record, index, change) = changes[i];
            if (outcomes[i].Error is { } error)
            {
                logger.LogError(error,
                    "Could not meter stream record {EventId} (sequence number {SequenceNumber}, {Key}); it will be retried",
                    record.EventID, record.Dynamodb.SequenceNumber, Key(record));
                failed[index] = true;
            }
            else if (outcomes[i].Settled)
            {
                var lag = time.GetUtcNow() - record.Dynamodb.ApproximateCreationTime;
                Metric.Add(MetricNames.MeteringLag, lag.TotalMilliseconds, MetricUnit.Milliseconds);
            }
            else
            {
                logger.LogInformation("No hold for {Texts} texts of {Source} of {UserSub} in {Month}: settled, or expired",
                    change.Texts, change.Source, change.UserSub, change.Month);
            }
        }
        var settled = changes.Where((_, i) => outcomes[i].Settled).Select(change => change.Change);
        foreach (var month in settled.GroupBy(change => (change.UserSub, change.Month)))
        {
            logger.LogInformation("Metered {Records} records, {Texts} texts, of {UserSub} into {Month}",
                month.Count(), month.Sum(change => change.Texts), month.Key.UserSub, month.Key.Month);
        }

        // Every failed record in batch order (Lambda retries from the one with the lowest sequence number).
        var response = new StreamsEventResponse();
        for (var index = 0; index < records.Count; index++)
            if (failed[index]) response.BatchItemFailures.Add(new() { ItemIdentifier = records[index].Dynamodb.SequenceNumber });
        return response;
    }

    private static string Key(DynamoDBEvent.DynamodbStreamRecord record)
    {
        var keys = record.Dynamodb.Keys;
        return $"{keys.GetValueOrDefault(Table.PartitionKey)?.S}/{keys.GetValueOrDefault(Table.SortKey)?.S}";
    }
}
