using System.Text;
using Serverless.Uploads.Parsing;

namespace Serverless.Uploads.Tests.Parsing;

public sealed class CsvRowTests
{
    [Fact]
    public async Task Quoted_fields_keep_commas_line_breaks_and_doubled_quotes()
    {
        var rows = await Rows.ReadAsync(
            "id,text\r\n1,\"a, b\"\r\n2,\"line one\r\nline two\"\r\n3,\"say \"\"hi\"\"\"\r\n", UploadFormat.Csv);

        Assert.Equal(["a, b", "line one\r\nline two", "say \"hi\""], Rows.Texts(rows));
        Assert.Equal([1L, 2L, 3L], rows.Select(row => row.Number));
    }

    [Fact]
    public async Task The_text_column_is_found_by_name_in_any_case_else_the_first_column_is_used()
    {
        Assert.Equal(["hello"], Rows.Texts(await Rows.ReadAsync("id,Text,lang\n7,hello,en\n", UploadFormat.Csv)));
        Assert.Equal(["7"], Rows.Texts(await Rows.ReadAsync("id,body\n7,hello\n", UploadFormat.Csv)));
        Assert.Equal(["hello"], Rows.Texts(await Rows.ReadAsync("id, TEXT \n7,hello\n", UploadFormat.Csv)));
    }

    [Fact]
    public async Task LF_and_CRLF_end_records_and_a_final_line_break_makes_no_row()
    {
        Assert.Equal(["a", "b", "c"], Rows.Texts(await Rows.ReadAsync("text\na\r\nb\nc", UploadFormat.Csv)));
        Assert.Equal(["a"], Rows.Texts(await Rows.ReadAsync("text\r\na\r\n", UploadFormat.Csv)));
    }

    [Fact]
    public async Task A_byte_order_mark_is_skipped_and_counted_in_the_offsets()
    {
        var file = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("text\nsmile\n")).ToArray();

        var rows = await Rows.ReadAsync(file, UploadFormat.Csv);

        Assert.Equal(["smile"], Rows.Texts(rows));
        Assert.Equal(file.Length, rows[0].Next.Offset);
    }

    [Fact]
    public async Task Empty_short_and_too_long_rows_fail_alone()
    {
        var rows = await Rows.ReadAsync(
            $"id,text\n1,ok\n\n2\n3,\"   \"\n4,{new string('x', 5001)}\n5,{new string('y', 5000)}\n", UploadFormat.Csv);

        Assert.Equal(6, rows.Count);
        Assert.Equal("ok", rows[0].Text);
        Assert.Contains("has 1 column(s)", rows[1].Error); // a blank line is one empty field, and the text is in column 2
        Assert.Contains("has 1 column(s); the text is in column 2", rows[2].Error);
        Assert.Contains("empty", rows[3].Error);
        Assert.Equal("The text has 5,001 characters; a row may have at most 5,000.", rows[4].Error);
        Assert.Equal(5000, rows[5].Text!.Length);
    }

    [Fact]
    public async Task A_blank_line_in_a_one_column_file_is_an_empty_row()
    {
        var rows = await Rows.ReadAsync("text\na\n\nb\n", UploadFormat.Csv);

        Assert.Equal(["a", "!The row is empty: there is no text to score.", "b"], Rows.Texts(rows));
    }

    [Fact]
    public async Task A_quote_never_closed_fails_the_last_row_and_says_where_it_opened()
    {
        var rows = await Rows.ReadAsync("text\nfine\n\"open, and\nnever closed\n", UploadFormat.Csv);

        Assert.Equal("fine", rows[0].Text);
        Assert.Equal("The quoted field that opens at byte 10 is never closed.", rows[1].Error);
    }

    [Fact]
    public async Task A_header_alone_has_no_rows()
    {
        Assert.Empty(await Rows.ReadAsync("text\r\n", UploadFormat.Csv));
        Assert.Empty(await Rows.ReadAsync("text", UploadFormat.Csv));
    }

    [Theory]
    [InlineData("", "The CSV file is empty")]
    [InlineData("\ufeff", "The CSV file is empty")]
    [InlineData("\nhello\n", "The CSV file has no header row")]
    [InlineData(",,\n1,2,3\n", "The CSV file has no header row")]
    public async Task A_file_without_a_header_cannot_be_read(string file, string reason)
    {
        var error = await Assert.ThrowsAsync<UploadFormatException>(() => Rows.ReadAsync(file, UploadFormat.Csv));

        Assert.StartsWith(reason, error.Message);
    }

    [Theory]
    [InlineData("a,", "The CSV header row has more than 1,000 columns, the most a file may have.")]
    [InlineData("a", "The CSV header row is longer than 65,536 characters, the most it may have.")]
    public async Task A_header_past_1000_columns_or_65536_characters_fails_without_being_read_to_its_end(string repeated, string reason)
    {
        // 8 MB of one header row: the reader must stop within its first window or two, not take millions of names in.
        var header = new RepeatingStream(Encoding.UTF8.GetBytes(repeated), length: 8 * 1024 * 1024);

        var error = await Assert.ThrowsAsync<UploadFormatException>(async () =>
        {
            await foreach (var _ in RowReader.ReadAsync(header, UploadFormat.Csv, ReaderPosition.Start, CancellationToken.None)) { }
        });

        Assert.Equal(reason, error.Message);
        Assert.InRange(header.Position, 1, 256 * 1024);
    }

    [Fact]
    public async Task A_header_of_exactly_1000_columns_is_read()
    {
        var names = Enumerable.Range(1, RowReader.MaxHeaderFields - 1).Select(i => $"c{i}").Append("text");

        var rows = await Rows.ReadAsync(
            string.Join(',', names) + "\n" + new string(',', RowReader.MaxHeaderFields - 1) + "hello\n", UploadFormat.Csv);

        Assert.Equal(["hello"], Rows.Texts(rows));
    }

    [Fact]
    public async Task Reading_from_any_row_position_gives_the_same_rows_as_one_pass()
    {
        var file = new StringBuilder("id,text\r\n");
        for (var i = 1; i <= 3000; i++) file.Append(i).Append(i % 7 == 0 ? ",\"multi\nline é ✓ 😀\"\r\n" : $",row {i} ü\r\n");
        var bytes = Encoding.UTF8.GetBytes(file.ToString());
        var all = await Rows.ReadAsync(bytes, UploadFormat.Csv);

        foreach (var at in new[] { 0, 1, 6, 1000, 2998 })
        {
            var rest = await Rows.ReadAsync(bytes, UploadFormat.Csv, all[at].Next);
            Assert.Equal(all.Skip(at + 1), rest);
        }
        Assert.Equal(bytes.Length, all[^1].Next.Offset);
        Assert.Equal(3000, all[^1].Next.RowsRead);
        Assert.Equal(1, all[^1].Next.CsvTextColumn);
    }
}

/// <summary>
/// A read-only stream of <paramref name="pattern"/> repeated up to <paramref name="length"/> bytes; Position is how far it
/// was read.
/// </summary>
internal sealed class RepeatingStream(byte[] pattern, long length) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => length;
    public override long Position { get; set; }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = (int)Math.Min(count, length - Position);
        for (var i = 0; i < n; i++) buffer[offset + i] = pattern[(Position + i) % pattern.Length];
        Position += n;
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
