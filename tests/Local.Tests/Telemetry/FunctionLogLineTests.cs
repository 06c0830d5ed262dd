using System.Text.Json.Nodes;
using Serverless.Local.Telemetry;

namespace Serverless.Local.Tests.Telemetry;

/// <summary>A function's stdout lines as log records: Lambda's JSON log format, or plain text.</summary>
public sealed class FunctionLogLineTests
{
    [Fact]
    public void A_json_line_gives_its_level_message_ids_and_the_rest_as_attributes()
    {
        var line = FunctionLogLine.FromJson(JsonNode.Parse("""
            {"timestamp":"2026-12-07T21:30:40.123Z","level":"WARN","message":"Row 3 skipped","logger":"Uploads",
             "requestId":"8f5c","traceId":"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
             "row":"3","nested":{"a":1}}
            """)!.AsObject());

        Assert.Equal(new DateTimeOffset(2026, 12, 7, 21, 30, 40, 123, TimeSpan.Zero), line.Timestamp);
        Assert.Equal("WARN", line.Level);
        Assert.Equal(13, line.SeverityNumber);
        Assert.Equal("Row 3 skipped", line.Message);
        Assert.Equal("8f5c", line.RequestId);
        Assert.StartsWith("Root=1-5759e988", line.TraceId, StringComparison.Ordinal);
        Assert.Equal(new Dictionary<string, string> { ["logger"] = "Uploads", ["nested"] = """{"a":1}""", ["row"] = "3" },
            line.Attributes);
    }

    [Theory]
    [InlineData("TRACE", 1)]
    [InlineData("DEBUG", 5)]
    [InlineData("INFO", 9)]
    [InlineData("ERROR", 17)]
    [InlineData("FATAL", 21)]
    [InlineData("LOUD", 0)]
    public void Lambdas_levels_map_to_opentelemetry_severities(string level, int severity) =>
        Assert.Equal(severity, FunctionLogLine.FromJson(new JsonObject { ["level"] = level, ["message"] = "m" }).SeverityNumber);

    [Fact]
    public void A_json_line_without_a_message_is_its_own_text_and_a_text_line_has_no_level()
    {
        Assert.Equal("""{"event":"x"}""", FunctionLogLine.FromJson(new JsonObject { ["event"] = "x" }).Message);

        var text = FunctionLogLine.FromText("Unhandled exception. System.Exception: boom");
        Assert.Null(text.Level);
        Assert.Equal(0, text.SeverityNumber);
        Assert.Null(text.Timestamp);
        Assert.Equal("Unhandled exception. System.Exception: boom", text.Message);
    }
}
