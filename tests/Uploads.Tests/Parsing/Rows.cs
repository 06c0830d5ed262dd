using System.Text;
using Serverless.Uploads.Parsing;

namespace Serverless.Uploads.Tests.Parsing;

/// <summary>Reads every row of a file held in memory, from the start or from a position.</summary>
internal static class Rows
{
    public static Task<List<Row>> ReadAsync(string file, UploadFormat format, ReaderPosition? from = null) =>
        ReadAsync(Encoding.UTF8.GetBytes(file), format, from);

    public static async Task<List<Row>> ReadAsync(byte[] file, UploadFormat format, ReaderPosition? from = null)
    {
        from ??= ReaderPosition.Start;
        using var stream = new MemoryStream(file, (int)from.Offset, file.Length - (int)from.Offset);
        var rows = new List<Row>();
        await foreach (var row in RowReader.ReadAsync(stream, format, from, CancellationToken.None)) rows.Add(row);
        return rows;
    }

    /// <summary>Each row as its text, or "!" and its error.</summary>
    public static string[] Texts(IEnumerable<Row> rows) => rows.Select(row => row.Text ?? "!" + row.Error).ToArray();
}
