using Amazon.DynamoDBv2.Model;
using Serverless.ServiceDefaults;

namespace Serverless.Uploads.Tests;

public sealed class PageRequestTests
{
    private const string Partition = "USER#alice";

    [Fact]
    public void No_parameters_is_the_first_page_of_the_default_size()
    {
        var page = PageRequest.TryCreate(null, null, Partition, "UPLOAD#", out var errors);

        Assert.Empty(errors);
        Assert.Equal(PageRequest.DefaultLimit, page!.Limit);
        Assert.Null(page.ExclusiveStartKey);
    }

    [Fact]
    public void A_cursor_resumes_after_the_last_key_in_the_callers_own_partition()
    {
        var cursor = PageRequest.NextCursor(new() { ["PK"] = new() { S = "USER#bob" }, ["SK"] = new() { S = "UPLOAD#0199" } });

        var page = PageRequest.TryCreate("5", cursor, Partition, "UPLOAD#", out _);

        Assert.Equal(5, page!.Limit);
        Assert.Equal("USER#alice", page.ExclusiveStartKey!["PK"].S);
        Assert.Equal("UPLOAD#0199", page.ExclusiveStartKey["SK"].S);
    }

    [Fact]
    public void The_last_page_has_no_cursor()
    {
        Assert.Null(PageRequest.NextCursor(null));
        Assert.Null(PageRequest.NextCursor(new Dictionary<string, AttributeValue>()));
    }

    [Theory]
    [InlineData("0", "limit must be between 1 and 100.")]
    [InlineData("-1", "limit must be between 1 and 100.")]
    [InlineData("101", "limit must be between 1 and 100.")]
    [InlineData("ten", "Must be a whole number.")]
    [InlineData("1.5", "Must be a whole number.")]
    [InlineData("99999999999", "Must be a whole number.")]
    public void A_limit_that_is_not_a_whole_number_from_1_to_100_is_an_error_on_limit(string limit, string message)
    {
        Assert.Null(PageRequest.TryCreate(limit, null, Partition, "UPLOAD#", out var errors));
        Assert.Equal(["limit"], errors.Keys);
        Assert.Equal([message], errors["limit"]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void No_limit_is_the_default_page_size(string? limit) =>
        Assert.Equal(PageRequest.DefaultLimit, PageRequest.TryCreate(limit, null, Partition, "UPLOAD#", out _)!.Limit);

    [Theory]
    [InlineData("not base64!")]
    [InlineData("")]
    [InlineData("UFJFRElDVElPTiMx")] // "PREDICTION#1": another list's cursor
    [InlineData("VVBMT0FEI_8")] // "UPLOAD#" then the byte 0xFF, which is not UTF-8
    [InlineData("VVBMT0FEI-2ggA")] // "UPLOAD#" then 0xED 0xA0 0x80, an encoded surrogate, which UTF-8 forbids
    public void A_cursor_this_list_did_not_give_out_is_an_error_on_cursor(string cursor)
    {
        Assert.Null(PageRequest.TryCreate(null, cursor, Partition, "UPLOAD#", out var errors));
        Assert.Equal(["cursor"], errors.Keys);
    }

    [Fact]
    public void The_query_reads_newest_first_one_item_beyond_the_page_from_the_cursor()
    {
        var cursor = PageRequest.NextCursor(new() { ["SK"] = new() { S = "UPLOAD#0199" } });
        var page = PageRequest.TryCreate("2", cursor, Partition, "UPLOAD#", out _)!;

        var query = page.NewestFirst(new Table("table"));

        Assert.Equal("table", query.TableName);
        Assert.False(query.ScanIndexForward);
        Assert.Equal(3, query.Limit);
        Assert.True(query.ConsistentRead);
        Assert.Equal("UPLOAD#0199", query.ExclusiveStartKey["SK"].S);
        Assert.Equal(Partition, query.ExpressionAttributeValues[":pk"].S);
        Assert.Equal("UPLOAD#", query.ExpressionAttributeValues[":prefix"].S);
    }

    [Fact]
    public void An_item_beyond_the_page_makes_a_cursor_after_the_pages_last_item()
    {
        var page = new PageRequest(Partition, "UPLOAD#", 2, null);

        var result = page.ToPage(Answer(["UPLOAD#3", "UPLOAD#2", "UPLOAD#1"], lastEvaluated: "UPLOAD#1"), item => item["SK"].S);

        Assert.Equal(["UPLOAD#3", "UPLOAD#2"], result.Items);
        Assert.Equal(PageRequest.NextCursor(new() { ["SK"] = new() { S = "UPLOAD#2" } }), result.NextCursor);
    }

    [Fact]
    public void A_page_with_nothing_beyond_it_has_no_cursor()
    {
        var page = new PageRequest(Partition, "UPLOAD#", 2, null);

        var full = page.ToPage(Answer(["UPLOAD#2", "UPLOAD#1"], lastEvaluated: null), item => item["SK"].S);
        var empty = page.ToPage(Answer([], lastEvaluated: null), item => item["SK"].S);

        Assert.Equal(["UPLOAD#2", "UPLOAD#1"], full.Items);
        Assert.Null(full.NextCursor);
        Assert.Empty(empty.Items);
        Assert.Null(empty.NextCursor);
    }

    [Fact]
    public void A_page_DynamoDB_cut_at_1_MB_has_a_cursor_after_its_last_item()
    {
        var page = new PageRequest(Partition, "UPLOAD#", 100, null);

        var cut = page.ToPage(Answer(["UPLOAD#3", "UPLOAD#2"], lastEvaluated: "UPLOAD#2"), item => item["SK"].S);

        Assert.Equal(PageRequest.NextCursor(new() { ["SK"] = new() { S = "UPLOAD#2" } }), cut.NextCursor);
    }

    private static QueryResponse Answer(string[] sortKeys, string? lastEvaluated) => new()
    {
        Items = sortKeys
            .Select(sortKey => new Dictionary<string, AttributeValue> { ["PK"] = new() { S = Partition }, ["SK"] = new() { S = sortKey } })
            .ToList(),
        LastEvaluatedKey = lastEvaluated is null
            ? null
            : new() { ["PK"] = new() { S = Partition }, ["SK"] = new() { S = lastEvaluated } },
    };
}
