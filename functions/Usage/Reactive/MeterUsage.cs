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
/// that ended (COMPLETED or FAILED) in the users' monthly usage items (<see cref="UsageChange"/>), each exactly once:
/// settling removes the work's hold (<see cref="UsageLedger"/>), so a record delivered again finds none. A record that
/// cannot be read or settled is reported as a batch item failure, with a log line naming it; every other record of the
/// batch still counts (Lambda retries from the failed record, and the records after it then find their holds gone).
/// Each settlement adds how long after its record was written it came (<see cref="MetricNames.MeteringLag"/>).
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
        var response = new StreamsEventResponse();
        foreach (var record in batch.Records)
        {
            var sequenceNumber = record.Dynamodb.SequenceNumber;
            try
            {
                if (UsageChange.From(record) is not { } change) continue;
                var settled = await ledger.SettleAsync(change, cancellationToken);
                if (settled)
                {
                    var lag = time.GetUtcNow() - record.Dynamodb.ApproximateCreationTime;
                    Metric.Add(MetricNames.MeteringLag, lag.TotalMilliseconds, MetricUnit.Milliseconds);
                }
                logger.LogInformation(
                    settled ? "Metered {Texts} texts of {Source} of {UserSub} into {Month}"
                        : "No hold for {Texts} texts of {Source} of {UserSub} in {Month}: settled, or expired",
                    change.Texts, change.Source, change.UserSub, change.Month);
            }
            catch (InvalidDataException bad)
            {
                logger.LogError(
                    "Bad stream record {EventId} (sequence number {SequenceNumber}, {EventName} of {Key}): {Reason}",
                    record.EventID, sequenceNumber, record.EventName, Key(record), bad.Message);
                response.BatchItemFailures.Add(new() { ItemIdentifier = sequenceNumber });
            }
            catch (AmazonDynamoDBException failed)
            {
                logger.LogError(failed,
                    "Could not meter stream record {EventId} (sequence number {SequenceNumber}, {Key}); it will be retried",
                    record.EventID, sequenceNumber, Key(record));
                response.BatchItemFailures.Add(new() { ItemIdentifier = sequenceNumber });
            }
        }
        return response;
    }

    private static string Key(DynamoDBEvent.DynamodbStreamRecord record)
    {
        var keys = record.Dynamodb.Keys;
        return $"{keys.GetValueOrDefault(Table.PartitionKey)?.S}/{keys.GetValueOrDefault(Table.SortKey)?.S}";
    }
}
