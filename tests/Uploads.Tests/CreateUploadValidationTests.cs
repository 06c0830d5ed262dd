namespace Serverless.Uploads.Tests;

public sealed class CreateUploadValidationTests
{
    private const long Max = 1_000;

    [Theory]
    [InlineData("text/csv", "csv")]
    [InlineData("Text/CSV", "csv")]
    [InlineData("text/csv; charset=utf-8", "csv")]
    [InlineData("text/csv;charset=\"UTF-8\"; header=present", "csv")]
    [InlineData("application/jsonl", "jsonl")]
    [InlineData("application/x-ndjson", "jsonl")]
    [InlineData("application/x-jsonlines", "jsonl")]
    [InlineData("text/plain; charset=UTF-8", "text")]
    public void An_accepted_content_type_declares_its_format(string contentType, string format)
    {
        var errors = CreateUpload.Validate(new NewUpload("reviews.csv", contentType, 10), Max, out var declared);

        Assert.Empty(errors);
        Assert.Equal(format, declared);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/*")]
    [InlineData("text/csv; charset=iso-8859-1")]
    [InlineData("text/plain; charset=utf-16")]
    [InlineData("csv")]
    [InlineData("")]
    [InlineData(null)]
    public void Any_other_content_type_is_an_error_on_contentType(string? contentType)
    {
        var errors = CreateUpload.Validate(new NewUpload("reviews.csv", contentType, 10), Max, out var format);

        Assert.Equal(["contentType"], errors.Keys);
        Assert.Null(format);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(Max)]
    public void A_size_from_1_to_the_maximum_is_accepted(long size) =>
        Assert.Empty(CreateUpload.Validate(new NewUpload("a.txt", "text/plain", size), Max, out _));

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(Max + 1)]
    [InlineData(null)]
    public void A_size_out_of_range_or_missing_is_an_error_on_size(long? size) =>
        Assert.Equal(["size"], CreateUpload.Validate(new NewUpload("a.txt", "text/plain", size), Max, out _).Keys);

    [Theory]
    [InlineData("reviews 2026 (final) ü.csv")]
    [InlineData("..csv")]
    [InlineData("😀.txt")]
    public void A_plain_file_name_is_accepted(string fileName) =>
        Assert.Empty(CreateUpload.Validate(new NewUpload(fileName, "text/plain", 1), Max, out _));

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("dir/file.csv")]
    [InlineData("dir\\file.csv")]
    [InlineData("line\nbreak.csv")]
    [InlineData("tab\t.csv")]
    [InlineData(".")]
    [InlineData("..")]
    public void A_file_name_that_is_empty_or_not_one_path_segment_is_an_error_on_fileName(string? fileName) =>
        Assert.Equal(["fileName"], CreateUpload.Validate(new NewUpload(fileName, "text/plain", 1), Max, out _).Keys);

    [Fact]
    public void A_file_name_that_is_not_valid_Unicode_is_an_error_on_fileName() =>
        Assert.Equal(["fileName"], CreateUpload.Validate(new NewUpload("lone \ud800 surrogate.csv", "text/plain", 1), Max, out _).Keys);

    [Fact]
    public void A_file_name_may_have_255_characters_but_not_256()
    {
        Assert.Empty(CreateUpload.Validate(new NewUpload(new string('a', 255), "text/plain", 1), Max, out _));
        Assert.Equal(["fileName"], CreateUpload.Validate(new NewUpload(new string('a', 256), "text/plain", 1), Max, out _).Keys);
    }

    [Fact]
    public void Every_bad_field_is_named_at_once()
    {
        var errors = CreateUpload.Validate(new NewUpload("a/b", "image/png", 0), Max, out _);

        Assert.Equal(["contentType", "fileName", "size"], errors.Keys.Order());
    }
}
