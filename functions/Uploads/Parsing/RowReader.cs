using System.Globalization;
using System.Runtime.CompilerServices;

namespace Serverless.Uploads.Parsing;

/// <summary>
/// The data rows of an uploaded file, read as it streams in, from a <see cref="ReaderPosition"/> on:
/// <list type="bullet">
/// <item><term>CSV</term><description>a header row first; the text is in the column named <c>text</c> (any case), else in
/// the first column</description></item>
/// <item><term>JSON Lines</term><description>one JSON object per line with a string field <c>text</c></description></item>
/// <item><term>text</term><description>one text per line</description></item>
/// </list>
/// A row that cannot be scored (empty, over <see cref="MaxTextChars"/> characters, no text) comes with its error;
/// a file that cannot be read at all throws an <see cref="UploadFormatException"/>.
/// </summary>
public static class RowReader
{
    /// <summary>The longest text a row may have.</summary>
    public const int MaxTextChars = 5000;

    /// <summary>The longest JSON line read (a text of <see cref="MaxTextChars"/> fits many times over, escaped).</summary>
    public const int MaxJsonLineChars = 1024 * 1024;

    private const int MaxHeaderNameChars = 256;

    /// <summary>The most columns a CSV header row may name.</summary>
    public const int MaxHeaderFields = 1_000;

    /// <summary>The longest CSV header row, in characters.</summary>
    public const int MaxHeaderChars = 65_536;

    /// <param name="stream">The file's bytes from <paramref name="from"/>'s offset on.</param>
    public static async IAsyncEnumerable<Row> ReadAsync(Stream stream, UploadFormat format, ReaderPosition from,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var source = new Utf8CharSource(stream, from.Offset);
        var rowsRead = from.RowsRead;
        if (format == UploadFormat.Csv)
        {
            var csv = new CsvScanner(source);
            var column = from.CsvTextColumn ?? await ReadHeaderAsync(csv, cancellationToken);
            while (await csv.NextAsync(column, MaxTextChars + 1, cancellationToken))
            {
                var error = CsvRowError(csv, column);
                yield return ToRow(++rowsRead, error is null ? csv.Fields[0] : null, error ?? TextError(csv.Fields[0], csv.Cut),
                    new ReaderPosition(source.Offset, rowsRead, column));
            }
            yield break;
        }

        var lines = new LineScanner(source, format == UploadFormat.JsonLines ? MaxJsonLineChars : MaxTextChars + 1);
        while (await lines.NextAsync(cancellationToken) is var (line, cut))
        {
            var next = new ReaderPosition(source.Offset, ++rowsRead, null);
            if (format == UploadFormat.Text)
            {
                yield return ToRow(rowsRead, line, TextError(line, cut), next);
                continue;
            }
            if (cut)
            {
                yield return ToRow(rowsRead, null, string.Create(CultureInfo.InvariantCulture,
                    $"The line is longer than {MaxJsonLineChars:N0} characters."), next);
                continue;
            }
            var (text, error) = string.IsNullOrWhiteSpace(line) ? (null, EmptyRow) : JsonLine.Text(line);
            yield return ToRow(rowsRead, text, error ?? TextError(text!, cut: false), next);
        }
    }

    private const string EmptyRow = "The row is empty: there is no text to score.";

    private static Row ToRow(long number, string? text, string? error, ReaderPosition next) =>
        error is null ? new Row(number, text, null, next) : new Row(number, null, error, next);

    /// <summary>Why the CSV record just read has no text to give, before its text is looked at; null when it has one.</summary>
    private static string? CsvRowError(CsvScanner csv, int column) =>
        csv.UnclosedQuoteAt is { } quote
            ? string.Create(CultureInfo.InvariantCulture, $"The quoted field that opens at byte {quote:N0} is never closed.")
            : csv.Fields.Count == 0
                ? string.Create(CultureInfo.InvariantCulture,
                    $"The row has {csv.FieldCount} column(s); the text is in column {column + 1}.")
                : null;

    private static string? TextError(string text, bool cut) =>
        cut ? $"The text is longer than {MaxTextChars:N0} characters, the most a row may have."
        : text.Length > MaxTextChars
            ? string.Create(CultureInfo.InvariantCulture,
                $"The text has {text.Length:N0} characters; a row may have at most {MaxTextChars:N0}.")
        : string.IsNullOrWhiteSpace(text) ? EmptyRow
        : null;

    /// <summary>The header row: the <c>text</c> column's index, else 0.</summary>
    private static async Task<int> ReadHeaderAsync(CsvScanner csv, CancellationToken cancellationToken)
    {
        if (!await csv.NextAsync(null, MaxHeaderNameChars, cancellationToken, MaxHeaderFields, MaxHeaderChars))
            throw new UploadFormatException("The CSV file is empty: it needs a header row naming its columns, then one row per text.");
        if (csv.OverLimit)
            throw new UploadFormatException(csv.FieldCount > MaxHeaderFields
                ? string.Create(CultureInfo.InvariantCulture,
                    $"The CSV header row has more than {MaxHeaderFields:N0} columns, the most a file may have.")
                : string.Create(CultureInfo.InvariantCulture,
                    $"The CSV header row is longer than {MaxHeaderChars:N0} characters, the most it may have."));
        if (csv.Fields.All(string.IsNullOrWhiteSpace))
            throw new UploadFormatException("The CSV file has no header row: its first line must name the columns " +
                "(the texts go in a column named \"text\", or in the first column).");
        var text = csv.Fields.FindIndex(name => string.Equals(name.Trim(), "text", StringComparison.OrdinalIgnoreCase));
        return text < 0 ? 0 : text;
    }
}
