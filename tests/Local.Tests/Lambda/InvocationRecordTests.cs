using System.Text;
using Serverless.Local.Lambda;

namespace Serverless.Local.Tests.Lambda;

/// <summary>The on-failure invocation record where no attempt was made, or a runtime answered something that is not JSON.</summary>
public sealed class InvocationRecordTests
{
    private static readonly FunctionDefinition Function = new("fn", "fn", "/tmp", TimeSpan.FromSeconds(3), 128, 1,
        new Dictionary<string, string>());
    private static readonly DateTimeOffset Time = new(2026, 11, 29, 9, 0, 0, 5, TimeSpan.Zero);

    [Fact]
    public void An_event_too_old_for_its_first_attempt_has_no_response()
    {
        var record = new InvocationRecord(Function, "id-1", "EventAgeExceeded", 0, """{"a":1}"""u8.ToArray(), null).ToJson(Time);

        Assert.Equal("""{"version":"1.0","timestamp":"2026-11-29T09:00:00.005Z","requestContext":"""
            + """{"requestId":"id-1","functionArn":"arn:aws:lambda:us-east-1:"""
            + """000000000000:function:fn:$LATEST","condition":"EventAgeExceeded","approximateInvokeCount":0},"requestPayload":{"a":1}}""",
            record.ToJsonString());
    }

    [Fact]
    public void A_response_that_is_not_JSON_is_kept_as_a_string()
    {
        var result = new InvocationResult(Encoding.UTF8.GetBytes("Segmentation fault"), "Unhandled", TimeSpan.Zero, null);

        var record = new InvocationRecord(Function, "id-2", "RetriesExhausted", 3, "{}"u8.ToArray(), result).ToJson(Time);

        Assert.Equal("""{"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"}""",
            record["responseContext"]!.ToJsonString());
        Assert.Equal("Segmentation fault", (string?)record["responsePayload"]);
    }
}
