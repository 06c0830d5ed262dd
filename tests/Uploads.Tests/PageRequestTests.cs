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

        var page = PageRequest.TryCreate(5, cursor, Partition, "UPLOAD#", out _);

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
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(PageRequest.MaxLimit + 1)]
    public void A_limit_out_of_range_is_an_error_on_limit(int limit)
    {
        Assert.Null(PageRequest.TryCreate(limit, null, Partition, "UPLOAD#", out var errors));
        Assert.Equal(["limit"], errors.Keys);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("")]
    [InlineData("UFJFRElDVElPTiMx")] // "PREDICTION#1": another list's cursor
    public void A_cursor_this_list_did_not_give_out_is_an_error_on_cursor(string cursor)
    {
        Assert.Null(PageRequest.TryCreate(null, cursor, Partition, "UPLOAD#", out var errors));
        Assert.Equal(["cursor"], errors.Keys);
    }
}
