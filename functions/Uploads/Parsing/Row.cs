namespace Serverless.Uploads.Parsing;

/// <summary>
/// One data row of an uploaded file. <see cref="Number"/> counts data rows from 1 (a CSV header is not
/// a row). <see cref="Text"/> is the text to score, or null with <see cref="Error"/> saying why this row
/// cannot be scored (empty, too long, no text field): such rows are counted as failed, the file goes on.
/// <see cref="Next"/> is where reading resumes after this row.
/// </summary>
public readonly record struct Row(long Number, string? Text, string? Error, ReaderPosition Next);

/// <summary>
/// Where a reader stands in a file: the byte offset of the next row, the data rows read so far, and,
/// for CSV, the text column chosen from the header. A checkpoint stores it; a continuing invocation
/// reads the object from <see cref="Offset"/> on with it.
/// </summary>
public sealed record ReaderPosition(long Offset, long RowsRead, int? CsvTextColumn)
{
    public static ReaderPosition Start { get; } = new(0, 0, null);
}

/// <summary>The file as a whole cannot be read in its format; the message is the upload's FAILED reason, in a user's words.</summary>
public sealed class UploadFormatException(string message) : Exception(message);

/// <summary>The three file formats an upload may have.</summary>
public enum UploadFormat
{
    Csv,
    JsonLines,
    Text,
}
