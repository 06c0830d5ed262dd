using System.Text.Json.Nodes;
using Serverless.Local.Streams;

namespace Serverless.Local.Tests.Streams;

/// <summary>Lambda's filter pattern rules on DynamoDB stream records.</summary>
public sealed class EventFilterTests
{
    private static readonly JsonObject Insert = Record("INSERT", """{"type":{"S":"PREDICTION"},"SK":{"S":"PREDICTION#1"}}""", null);
    private static readonly JsonObject Completed = Record("MODIFY", """{"status":{"S":"COMPLETED"},"SK":{"S":"UPLOAD#1"},"n":{"N":"12"}}""",
        """{"status":{"S":"PROCESSING"}}""");
    private static readonly JsonObject StillCompleted = Record("MODIFY", """{"status":{"S":"COMPLETED"},"SK":{"S":"UPLOAD#1"}}""",
        """{"status":{"S":"COMPLETED"}}""");

    [Fact]
    public void Any_filter_may_match_and_every_key_of_a_pattern_must()
    {
        var filter = Filter(
            """{"eventName":["INSERT"],"dynamodb":{"NewImage":{"type":{"S":["PREDICTION"]}}}}""",
            """{"eventName":["MODIFY"],"dynamodb":{"Keys":{"SK":{"S":[{"prefix":"UPLOAD#"}]}},"NewImage":"""
                + """{"status":{"S":["COMPLETED"]}},"OldImage":{"status":{"S":[{"anything-but":["COMPLETED"]}]}}}}""");

        Assert.True(filter.Matches(Insert));
        Assert.True(filter.Matches(Completed));
        Assert.False(filter.Matches(StillCompleted));
        Assert.False(filter.Matches(Record("REMOVE", null, """{"type":{"S":"PREDICTION"},"status":{"S":"PROCESSING"}}""")));
    }

    [Fact]
    public void Exists_numeric_and_no_filters()
    {
        Assert.True(Filter("""{"dynamodb":{"OldImage":[{"exists":false}]}}""").Matches(Insert));
        Assert.False(Filter("""{"dynamodb":{"OldImage":[{"exists":false}]}}""").Matches(Completed));
        Assert.True(Filter("""{"dynamodb":{"NewImage":{"n":{"N":[{"numeric":[">",10,"<=",12]}]}}}}""").Matches(Completed));
        Assert.False(Filter("""{"dynamodb":{"NewImage":{"n":{"N":[{"numeric":[">",12]}]}}}}""").Matches(Completed));
        Assert.True(EventFilter.PassAll.Matches(StillCompleted));
    }

    [Theory]
    [InlineData("""{"eventName":"INSERT"}""")]
    [InlineData("""{"eventName":[{"wildcard":"IN*"}]}""")]
    [InlineData("""["INSERT"]""")]
    [InlineData("""{"eventName":""")]
    public void A_pattern_Lambda_would_refuse_is_refused(string pattern) =>
        Assert.Throws<InvalidDataException>(() => Filter(pattern));

    private static EventFilter Filter(params string[] patterns) => EventFilter.From(new JsonObject
    {
        ["Filters"] = new JsonArray(patterns.Select(pattern => (JsonNode?)new JsonObject { ["Pattern"] = pattern }).ToArray()),
    });

    private static JsonObject Record(string eventName, string? newImage, string? oldImage)
    {
        var dynamodb = new JsonObject { ["Keys"] = JsonNode.Parse("""{"PK":{"S":"USER#1"},"SK":{"S":"UPLOAD#1"}}""") };
        if (newImage is not null) dynamodb["NewImage"] = JsonNode.Parse(newImage);
        if (oldImage is not null) dynamodb["OldImage"] = JsonNode.Parse(oldImage);
        return new JsonObject { ["eventName"] = eventName, ["dynamodb"] = dynamodb };
    }
}
