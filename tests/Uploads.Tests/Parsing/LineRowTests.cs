using System.Text;
using Serverless.Uploads.Parsing;

namespace Serverless.Uploads.Tests.Parsing;

public sealed class LineRowTests
{
    [Fact]
    public async Task JSON_lines_give_their_text_field_and_each_bad_line_fails_alone()
    {
        var file = """
            {"text": "good \"one\"", "id": 1}
            {"id": 2}
            {"text": 3}
            ["text"]
            {"text": "unclosed
            {"text": null}

            {"text": "last"}
            """.Replace("\n", "\r\n");

        var rows = await Rows.ReadAsync(file, UploadFormat.JsonLines);

        Assert.Equal("good \"one\"", rows[0].Text);
        Assert.Equal("The line has no \"text\" field.", rows[1].Error);
        Assert.Equal("The \"text\" field is a JSON number, not a string.", rows[2].Error);
        Assert.Equal("The line is a JSON array, not an object with a \"text\" field.", rows[3].Error);
        Assert.StartsWith("The line is not valid JSON: ", rows[4].Error);
        Assert.Equal("The \"text\" field is a JSON null, not a string.", rows[5].Error);
        Assert.Equal("The row is empty: there is no text to score.", rows[6].Error);
        Assert.Equal("last", rows[7].Text);
        Assert.Equal(8, rows.Count);
    }

    [Fact]
    public async Task A_JSON_text_over_5000_characters_fails()
    {
        var rows = await Rows.ReadAsync($$"""{"text": "{{new string('a', 5001)}}"}""", UploadFormat.JsonLines);

        Assert.Equal("The text has 5,001 characters; a row may have at most 5,000.", rows[0].Error);
    }

    [Fact]
    public async Task Text_files_have_one_row_per_line_without_the_line_break()
    {
        var rows = await Rows.ReadAsync("I love it\r\n\r\nso \"quoted\", with commas\nlast line", UploadFormat.Text);

        Assert.Equal(
            ["I love it", "!The row is empty: there is no text to score.", "so \"quoted\", with commas", "last line"], Rows.Texts(rows));
    }

    [Fact]
    public async Task A_text_line_far_over_the_limit_is_one_failed_row_and_reading_goes_on()
    {
        var rows = await Rows.ReadAsync(new string('z', 200_000) + "\nnext\n", UploadFormat.Text);

        Assert.Equal(["!The text is longer than 5,000 characters, the most a row may have.", "next"], Rows.Texts(rows));
        Assert.Equal(200_001, rows[0].Next.Offset);
    }

    [Theory]
    [InlineData(UploadFormat.Text)]
    [InlineData(UploadFormat.JsonLines)]
    public async Task Resuming_at_a_row_position_gives_the_rest_of_the_rows(UploadFormat format)
    {
        var file = new StringBuilder();
        for (var i = 0; i < 5000; i++) file.Append(format == UploadFormat.Text ? $"text ☃ {i}\n" : $"{{\"text\": \"text ☃ {i}\"}}\n");
        var bytes = Encoding.UTF8.GetBytes(file.ToString());
        var all = await Rows.ReadAsync(bytes, format);

        var rest = await Rows.ReadAsync(bytes, format, all[2499].Next);

        Assert.Equal(all.Skip(2500), rest);
    }

    [Theory]
    [InlineData(new byte[] { 0x61, 0x0A, 0x62, 0xFF, 0x63 }, "offset 3 (0xFF)")]
    [InlineData(new byte[] { 0xFF, 0xFE, 0x61, 0x00 }, "offset 0 (0xFF)")]
    [InlineData(new byte[] { 0x61, 0xC3 }, "offset 1 (0xC3)")]
    public async Task Bytes_that_are_not_UTF8_stop_the_file_and_say_where(byte[] file, string where)
    {
        var error = await Assert.ThrowsAsync<UploadFormatException>(() => Rows.ReadAsync(file, UploadFormat.Text));

        Assert.StartsWith("The file is not UTF-8 text: the bytes at " + where, error.Message);
    }

    [Fact]
    public async Task Bad_UTF8_far_into_a_file_is_found_at_its_offset()
    {
        var file = Encoding.UTF8.GetBytes(new string('a', 200_000) + "é").Concat(new byte[] { 0xE2, 0x28, 0xA1 }).ToArray();

        var error = await Assert.ThrowsAsync<UploadFormatException>(() => Rows.ReadAsync(file, UploadFormat.Text));

        Assert.Contains("offset 200,002 ", error.Message);
    }
}
