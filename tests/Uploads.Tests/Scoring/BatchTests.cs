using System.Text.Json;
using Serverless.Kernel.Aws;
using Serverless.Uploads.Parsing;
using Serverless.Uploads.Scoring;

namespace Serverless.Uploads.Tests.Scoring;

public sealed class BatchTests
{
    private static Row Text(long number, string text) => new(number, text, null, ReaderPosition.Start);

    private static Row Failed(long number) => new(number, null, "The row is empty: there is no text to score.", ReaderPosition.Start);

    private static List<Batch> Split(IEnumerable<Row> rows, BatchLimits limits)
    {
        var batches = new List<Batch> { new() };
        foreach (var row in rows)
        {
            if (!batches[^1].Fits(row, limits)) batches.Add(new Batch());
            batches[^1].Add(row);
        }
        return batches;
    }

    private static int SerializedBytes(Batch batch) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, List<string>> { ["inputs"] = batch.Texts }).Length;

    [Fact]
    public void Batches_hold_at_most_the_text_count_and_failed_rows_ride_along_in_order()
    {
        var rows = Enumerable.Range(1, 150).Select(i => i % 10 == 0 ? Failed(i) : Text(i, $"text {i}")).ToList();

        var batches = Split(rows, new BatchLimits(MaxTexts: 64));

        Assert.Equal([64, 64, 7], batches.Select(batch => batch.Texts.Count));
        Assert.Equal(rows, batches.SelectMany(batch => batch.Rows));
    }

    [Fact]
    public void A_run_of_failed_rows_is_bounded_by_the_row_count()
    {
        var batches = Split(Enumerable.Range(1, 600).Select(i => Failed(i)), new BatchLimits(MaxRows: 256));

        Assert.Equal([256, 256, 88], batches.Select(batch => batch.Rows.Count));
    }

    [Fact]
    public void A_call_carries_many_short_texts_but_no_more_characters_than_64_of_the_longest()
    {
        var shortTexts = Split(Enumerable.Range(1, 600).Select(i => Text(i, $"short text {i}")), BatchLimits.Default);
        var longest = Split(Enumerable.Range(1, 200).Select(i => Text(i, new string('a', RowReader.MaxTextChars))), BatchLimits.Default);
        var mixed = Split(Enumerable.Range(1, 300).Select(i => Text(i, new string('a', i % 2 == 0 ? 100 : 4000))), BatchLimits.Default);

        Assert.Equal([256, 256, 88], shortTexts.Select(batch => batch.Texts.Count));
        Assert.Equal([64, 64, 64, 8], longest.Select(batch => batch.Texts.Count));
        Assert.All(mixed, batch => Assert.True(batch.TextChars <= 64 * RowReader.MaxTextChars));
        Assert.All(mixed.SkipLast(1), batch => Assert.True(batch.TextChars > 64 * RowReader.MaxTextChars - 4000));
    }

    [Fact]
    public void The_body_size_is_measured_exactly_as_the_serializer_writes_it()
    {
        var batch = new Batch();
        foreach (var text in new[] { "plain", "quote \" and \\ backslash", "<html> & 'x' +", "é ✓ 😀 \u0001 \n" })
            batch.Add(Text(1, text));

        Assert.Equal(SerializedBytes(batch), batch.BodyBytes);
    }

    [Fact]
    public void A_batch_never_exceeds_the_body_limit()
    {
        var limits = new BatchLimits(MaxTexts: 1000, MaxBodyBytes: 20_000);
        var rows = Enumerable.Range(1, 400).Select(i => Text(i, new string('é', i % 37 * 10) + "\"")).ToList();

        var batches = Split(rows, limits);

        Assert.True(batches.Count > 5);
        Assert.All(batches, batch => Assert.True(SerializedBytes(batch) <= limits.MaxBodyBytes));
        Assert.All(batches.SkipLast(1), batch => Assert.True(batch.BodyBytes > limits.MaxBodyBytes - 37 * 10 * 6 - 10));
        Assert.Equal(rows, batches.SelectMany(batch => batch.Rows));
    }

    [Fact]
    public void The_largest_texts_at_the_default_limits_stay_under_6_MB()
    {
        // 5,000 characters that each escape to \uXXXX: the worst a row can be.
        var rows = Enumerable.Range(1, 200).Select(i => Text(i, new string('\u2028', RowReader.MaxTextChars)));

        var batches = Split(rows, BatchLimits.Default);

        Assert.All(batches, batch => Assert.True(SerializedBytes(batch) <= SageMakerRuntimeClient.MaxBodyBytes));
    }
}
