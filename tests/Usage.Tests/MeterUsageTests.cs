using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Serverless.Kernel.Events;
using Serverless.Kernel.Metrics;
using Serverless.Metering;
using Serverless.ServiceDefaults;
using Serverless.TestUtilities;

namespace Serverless.Usage.Tests;

/// <summary>MeterUsage's handler on stream events in AWS's form, settling holds reserved beforehand, against DynamoDB Local.</summary>
public sealed class MeterUsageTests(DynamoDbTable table) : IClassFixture<DynamoDbTable>
{
    private static readonly DateTimeOffset Now = new(2026, 3, 14, 12, 0, 0, TimeSpan.Zero);
    private readonly UsageLedger ledger = new(table.Db, table.Table, new Plan("free", 1_000), new FixedTime(Now));

    /// <summary>When the handler runs: the records were written at <see cref="Now"/>.</summary>
    private TimeProvider time = new FixedTime(Now);

    [Fact]
    public async Task A_batch_delivered_again_settles_once()
    {
        var sub = Guid.NewGuid().ToString();
        await ReserveAsync(sub, "prediction#1", 4);
        await ReserveAsync(sub, "upload#2", 64);
        var batch = Event(
            Prediction(sub, "1", textCount: "4"),
            Upload(sub, "2", "PROCESSING", "COMPLETED", rowsProcessed: "10", rowsFailed: "3", objectSize: "2048"));

        var first = await HandleAsync(batch);
        var second = await HandleAsync(batch);

        Assert.Empty(first.BatchItemFailures);
        Assert.Empty(second.BatchItemFailures);
        Assert.Equal(new MonthlyUsage("2026-03", 4, 7, 1, 2048, 0), await UsageAsync(sub, "2026-03"));
    }

    [Fact]
    public async Task A_batch_mixing_users_and_months_settles_in_one_update_a_user_and_month()
    {
        var (ann, bob) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        var db = new ObservedDynamoDb(table.Db);
        foreach (var id in new[] { "1", "3", "6" }) await ReserveAsync(ann, "prediction#" + id, 2);
        await ReserveAsync(ann, "upload#4", 64);
        await ReserveAsync(ann, "prediction#5", 1, month: "2026-02");
        foreach (var id in new[] { "2", "7" }) await ReserveAsync(bob, "prediction#" + id, 3);
        var batch = Event(
            Prediction(ann, "1", textCount: "2"),
            Prediction(bob, "2", textCount: "3"),
            Prediction(ann, "3", textCount: "1"),
            Upload(ann, "4", "PROCESSING", "COMPLETED", rowsProcessed: "20", rowsFailed: "5", objectSize: "900"),
            Prediction(ann, "5", textCount: "1", month: "2026-02"),
            Prediction(ann, "6", textCount: "2"),
            Prediction(bob, "7", textCount: "3"));

        var first = await HandleAsync(batch, db);
        var updates = db.Updates.Count;
        var again = await HandleAsync(batch, db);

        Assert.Empty(first.BatchItemFailures);
        Assert.Empty(again.BatchItemFailures);
        Assert.Equal(3, updates);
        Assert.Equal(updates, db.Updates.Count);
        Assert.Equal(2, db.BatchGets);
        Assert.Equal(new MonthlyUsage("2026-03", 2 + 1 + 2, 15, 1, 900, 0), await UsageAsync(ann, "2026-03"));
        Assert.Equal(new MonthlyUsage("2026-02", 1, 0, 0, 0, 0), await UsageAsync(ann, "2026-02"));
        Assert.Equal(new MonthlyUsage("2026-03", 6, 0, 0, 0, 0), await UsageAsync(bob, "2026-03"));
    }

    [Fact]
    public async Task A_failed_write_reports_its_records_from_the_earliest_and_retries_and_halves_count_each_once()
    {
        var (ann, bob) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        var db = new ObservedDynamoDb(table.Db);
        foreach (var id in new[] { "1", "3", "5" }) await ReserveAsync(ann, "prediction#" + id, 2);
        foreach (var id in new[] { "2", "4", "6" }) await ReserveAsync(bob, "prediction#" + id, 2);
        string[] records =
        [
            Prediction(ann, "1", textCount: "2"), Prediction(bob, "2", textCount: "2"), Prediction(ann, "3", textCount: "2"),
            Prediction(bob, "4", textCount: "2"), Prediction(ann, "5", textCount: "2"), Prediction(bob, "6", textCount: "1"),
        ];
        db.BeforeUpdate = update => update.Key[Table.PartitionKey].S == Table.UserPartition(bob)
            ? throw new ProvisionedThroughputExceededException("Throughput exceeded")
            : Task.CompletedTask;

        var failing = await HandleAsync(Event(records), db);
        var annAfterFailure = await UsageAsync(ann, "2026-03");
        db.BeforeUpdate = null;
        // Lambda retries from the reported record with the lowest sequence number, then (a function error) in halves.
        var retried = await HandleAsync(Event(records[1..]), db);
        var firstHalf = await HandleAsync(Event(records[..3]), db);
        var secondHalf = await HandleAsync(Event(records[3..]), db);

        Assert.Equal(["2", "4", "6"], failing.BatchItemFailures.Select(failure => failure.ItemIdentifier));
        Assert.Equal(new MonthlyUsage("2026-03", 6, 0, 0, 0, 0), annAfterFailure);
        Assert.Empty(retried.BatchItemFailures);
        Assert.Empty(firstHalf.BatchItemFailures);
        Assert.Empty(secondHalf.BatchItemFailures);
        Assert.Equal(new MonthlyUsage("2026-03", 6, 0, 0, 0, 0), await UsageAsync(ann, "2026-03"));
        Assert.Equal(new MonthlyUsage("2026-03", 5, 0, 0, 0, 0), await UsageAsync(bob, "2026-03"));
    }

    [Fact]
    public async Task Each_settlement_adds_how_long_after_its_record_it_came()
    {
        var sub = Guid.NewGuid().ToString();
        await ReserveAsync(sub, "prediction#1", 4);
        await ReserveAsync(sub, "upload#2", 64);
        var batch = Event(
            Prediction(sub, "1", textCount: "4"),
            Upload(sub, "2", "PROCESSING", "FAILED", rowsProcessed: "10", rowsFailed: "3", objectSize: "2048"),
            Upload(sub, "3", "PENDING_UPLOAD", "PROCESSING", rowsProcessed: "0", rowsFailed: "0", objectSize: "5"));
        time = new FixedTime(Now.AddMilliseconds(1_500));
        var (first, again) = (new TestLambdaContext(), new TestLambdaContext());

        await first.RunAsync(_ => HandleAsync(batch));
        await again.RunAsync(_ => HandleAsync(batch));

        Assert.Equal([1_500.0, 1_500.0], first.FlushMetrics().Values(MetricNames.MeteringLag));
        Assert.Empty(again.FlushMetrics());
    }

    [Fact]
    public async Task Bad_records_are_reported_by_sequence_number_and_the_rest_of_the_batch_counts()
    {
        var sub = Guid.NewGuid().ToString();
        foreach (var id in new[] { "1", "2", "5" }) await ReserveAsync(sub, "prediction#" + id, 3);
        await ReserveAsync(sub, "upload#3", 64);
        var batch = Event(
            Prediction(sub, "1", textCount: "2"),
            Prediction(sub, "2", textCount: null),
            Upload(sub, "3", "PROCESSING", "COMPLETED", rowsProcessed: "1", rowsFailed: "5", objectSize: "10"),
            Prediction("", "4", textCount: "1", partition: "PROFILE#x"),
            Prediction(sub, "5", textCount: "3"));

        var response = await HandleAsync(batch);

        Assert.Equal(["2", "3", "4"], response.BatchItemFailures.Select(failure => failure.ItemIdentifier));
        Assert.Equal(new MonthlyUsage("2026-03", 5, 0, 0, 0, 3 + 64), await UsageAsync(sub, "2026-03"));
    }

    [Fact]
    public async Task New_predictions_and_uploads_ending_COMPLETED_or_FAILED_settle_in_their_usage_month()
    {
        var sub = Guid.NewGuid().ToString();
        await ReserveAsync(sub, "upload#1", 64);
        await ReserveAsync(sub, "upload#2", 64);
        await ReserveAsync(sub, "upload#3", 64);
        await ReserveAsync(sub, "prediction#4", 6);
        await ReserveAsync(sub, "prediction#5", 1, month: "2026-02");
        await ReserveAsync(sub, "upload#6", 64);
        var batch = Event(
            Upload(sub, "1", "PENDING_UPLOAD", "PROCESSING", rowsProcessed: "0", rowsFailed: "0", objectSize: "5"),
            Upload(sub, "2", "COMPLETED", "COMPLETED", rowsProcessed: "9", rowsFailed: "0", objectSize: "5"),
            Upload(sub, "3", "PROCESSING", "FAILED", rowsProcessed: "9", rowsFailed: "2", objectSize: "5"),
            Prediction(sub, "4", textCount: "6", eventName: "MODIFY"),
            Prediction(sub, "5", textCount: "1", month: "2026-02"),
            Upload(sub, "6", "PROCESSING", "COMPLETED", rowsProcessed: "4", rowsFailed: "1", objectSize: "100"),
            Prediction(sub, "7", textCount: "2", month: null));

        var response = await HandleAsync(batch);

        Assert.Empty(response.BatchItemFailures);
        Assert.Equal(new MonthlyUsage("2026-02", 1, 0, 0, 0, 0), await UsageAsync(sub, "2026-02"));
        Assert.Equal(
            new MonthlyUsage("2026-03", 0, 7 + 3, 1, 100, 64 + 64 + 6), await UsageAsync(sub, "2026-03"));
    }

    private async Task ReserveAsync(string sub, string source, long texts, string month = "2026-03") =>
        Assert.Equal(texts, await ledger.ReserveAsync(sub, month, source, texts, texts, CancellationToken.None));

    private Task<MonthlyUsage> UsageAsync(string sub, string month) =>
        UsageItem.GetAsync(table.Db, table.Table, sub, month, CancellationToken.None);

    private Task<StreamsEventResponse> HandleAsync(string batch) => MeterUsage.HandleAsync(
        JsonSerializer.Deserialize(batch, KernelJsonContext.Default.DynamoDBEvent)!, ledger, time, NullLogger.Instance,
        CancellationToken.None);

    /// <summary>The handler with its ledger on <paramref name="db"/>.</summary>
    private Task<StreamsEventResponse> HandleAsync(string batch, ObservedDynamoDb db) => MeterUsage.HandleAsync(
        JsonSerializer.Deserialize(batch, KernelJsonContext.Default.DynamoDBEvent)!,
        new UsageLedger(db, table.Table, new Plan("free", 1_000), new FixedTime(Now)), time, NullLogger.Instance,
        CancellationToken.None);

    private static string Event(params string[] records) => $$$"""{"Records": [{{{string.Join(",", records)}}}]}""";

    /// <summary>
    /// A prediction item's record; its id is the sequence number, its hold <c>prediction#{id}</c> in <paramref name="month"/>.
    /// </summary>
    private static string Prediction(string sub, string sequenceNumber, string? textCount, string eventName = "INSERT",
        string? month = "2026-03", string? partition = null)
    {
        var sortKey = "PREDICTION#2026-03-14T12:00:00.000Z#" + sequenceNumber;
        var keys = $$$"""{"PK": {"S": "{{{partition ?? "USER#" + sub}}}"}, "SK": {"S": "{{{sortKey}}}"}}""";
        var count = textCount is null ? "" : $$$""", "textCount": {"N": "{{{textCount}}}"}""";
        var usageMonth = month is null ? "" : $$$""", "usageMonth": {"S": "{{{month}}}"}""";
        var image =
            $$$"""{"type": {"S": "PREDICTION"}, "predictionId": {"S": "{{{sequenceNumber}}}"}{{{count}}}{{{usageMonth}}}}""";
        return Record(eventName, sequenceNumber, "1773489600", keys, image, null);
    }

    private static string Upload(string sub, string sequenceNumber, string oldStatus, string newStatus, string rowsProcessed,
        string rowsFailed, string objectSize)
    {
        var keys = $$$"""{"PK": {"S": "USER#{{{sub}}}"}, "SK": {"S": "UPLOAD#{{{sequenceNumber}}}"}}""";
        var image = $$$"""{"status": {"S": "{{{newStatus}}}"}, "usageMonth": {"S": "2026-03"}"""
            + $$$""", "rowsProcessed": {"N": "{{{rowsProcessed}}}"}, "rowsFailed": {"N": "{{{rowsFailed}}}"}"""
            + $$$""", "objectSize": {"N": "{{{objectSize}}}"}}""";
        return Record("MODIFY", sequenceNumber, "1773489600", keys, image, $$$"""{"status": {"S": "{{{oldStatus}}}"}}""");
    }

    private static string Record(
        string eventName, string sequenceNumber, string created, string keys, string newImage, string? oldImage) => $$$"""
        {
          "eventID": "{{{Guid.NewGuid():N}}}", "eventName": "{{{eventName}}}", "eventVersion": "1.1",
          "eventSource": "aws:dynamodb", "awsRegion": "us-east-1",
          "dynamodb": {
            "ApproximateCreationDateTime": {{{created}}}, "Keys": {{{keys}}},
            "NewImage": {{{newImage}}}{{{(oldImage is null ? "" : $", \"OldImage\": {oldImage}")}}},
            "SequenceNumber": "{{{sequenceNumber}}}", "SizeBytes": 100, "StreamViewType": "NEW_AND_OLD_IMAGES"
          },
          "eventSourceARN": "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2026-03-01T00:00:00.000"
        }
        """;
}
