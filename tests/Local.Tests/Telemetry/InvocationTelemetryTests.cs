using System.Text.Json.Nodes;
using Serverless.Local.Lambda;
using Serverless.Local.Telemetry;

namespace Serverless.Local.Tests.Telemetry;

/// <summary>One invocation's output turned into telemetry, and that telemetry as OTLP/HTTP JSON.</summary>
public sealed class InvocationTelemetryTests
{
    private static readonly FunctionDefinition Function = new("ProcessUploadFunction", "bootstrap", "/tmp", TimeSpan.FromSeconds(30),
        1024, 1, new Dictionary<string, string>());

    private const string Broken =
        """{"_aws":{"Timestamp":1796678135915,"CloudWatchMetrics":[{"Namespace":"N","Metrics":[{"Name":"Broken"}]}]},"Broken":"many"}""";

    private const string Output = """
        {"timestamp":"2026-12-07T21:30:40.123Z","level":"INFO","message":"Scored","requestId":"r-1"}
        {"_aws":{"Timestamp":1796678135915,"CloudWatchMetrics":[{"Namespace":"Serverless","Dimensions":[["Service"]],
        """ + """
        "Metrics":[{"Name":"RowsScored","Unit":"Count"}]}]},"Service":"Uploads","RowsScored":42}
        """ + "\n" + Broken + "\nplain text\n";

    private static InvocationTelemetry Telemetry(InvocationResult result)
    {
        var invocation = new Invocation([], "r-1",
            XRayTraceHeader.Parse("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8"));
        return InvocationTelemetry.From(Function, invocation, result, invocation.InvokedAt.AddMilliseconds(250), Output);
    }

    private static readonly InvocationResult ColdSuccess = new("{}"u8.ToArray(), null, TimeSpan.FromMilliseconds(120.5),
        TimeSpan.FromMilliseconds(300)) { MaxMemoryUsedMB = 80 };

    [Fact]
    public void Emf_lines_are_metrics_the_rest_are_logs_and_an_invalid_emf_line_is_a_problem_and_a_log()
    {
        var telemetry = Telemetry(ColdSuccess);

        var rows = Assert.Single(telemetry.Metrics, sample => sample.Namespace == "Serverless");
        Assert.Equal(("RowsScored", 42.0), (rows.Name, rows.Value));
        Assert.Equal(["Scored", Broken, "plain text"], telemetry.Logs.Select(line => line.Message));
        Assert.Contains("Metric Broken is neither a number", Assert.Single(telemetry.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Lambdas_own_metrics_count_the_invocation_its_duration_and_a_cold_start()
    {
        var cold = Telemetry(ColdSuccess).Metrics.Where(sample => sample.Namespace != "Serverless")
            .ToDictionary(sample => $"{sample.Namespace}/{sample.Name}", sample => sample.Value);
        Assert.Equal(new Dictionary<string, double>
        {
            ["AWS/Lambda/Invocations"] = 1, ["AWS/Lambda/Errors"] = 0, ["AWS/Lambda/Duration"] = 120.5,
            ["LambdaInsights/init_duration"] = 300, ["LambdaInsights/used_memory_max"] = 80,
        }, cold);

        var warmFailure = Telemetry(InvocationResult.Error("Sandbox.Timedout", "Task timed out", TimeSpan.FromSeconds(30)));
        Assert.Equal(1, warmFailure.Metrics.Single(sample => sample.Name == "Errors").Value);
        Assert.DoesNotContain(warmFailure.Metrics, sample => sample.Name == "init_duration");
        Assert.Equal("Sandbox.Timedout", warmFailure.ErrorType);
    }

    [Fact]
    public void The_span_carries_the_trace_the_report_figures_and_the_callers_parent()
    {
        var telemetry = Telemetry(ColdSuccess);
        var span = OtlpJson.Traces(telemetry)["resourceSpans"]![0]!["scopeSpans"]![0]!["spans"]![0]!;
        var attributes = Attributes(span);

        Assert.Equal("5759e988bd862e3fe1be46a994272793", span["traceId"]!.GetValue<string>());
        Assert.Equal(telemetry.Trace.Parent, span["spanId"]!.GetValue<string>());
        Assert.Equal("53995c3f42cd8ad8", span["parentSpanId"]!.GetValue<string>());
        Assert.Equal("ProcessUploadFunction", span["name"]!.GetValue<string>());
        Assert.Equal("r-1", attributes["faas.invocation_id"]!["stringValue"]!.GetValue<string>());
        Assert.True(attributes["faas.coldstart"]!["boolValue"]!.GetValue<bool>());
        Assert.Equal(120.5, attributes["aws.lambda.duration_ms"]!["doubleValue"]!.GetValue<double>());
        Assert.Equal("421", attributes["aws.lambda.billed_duration_ms"]!["intValue"]!.GetValue<string>());
        Assert.Equal("1024", attributes["aws.lambda.memory_size_mb"]!["intValue"]!.GetValue<string>());
        Assert.Equal("80", attributes["aws.lambda.max_memory_used_mb"]!["intValue"]!.GetValue<string>());
        Assert.Equal(300, attributes["aws.lambda.init_duration_ms"]!["doubleValue"]!.GetValue<double>());
        Assert.False(span["status"]!.AsObject().ContainsKey("code"));

        var failed = OtlpJson.Traces(Telemetry(InvocationResult.Error("Sandbox.Timedout", "Task timed out", TimeSpan.FromSeconds(3))));
        var failedSpan = failed["resourceSpans"]![0]!["scopeSpans"]![0]!["spans"]![0]!;
        Assert.Equal(2, failedSpan["status"]!["code"]!.GetValue<int>());
        Assert.Equal("Sandbox.Timedout", Attributes(failedSpan)["error.type"]!["stringValue"]!.GetValue<string>());
    }

    [Fact]
    public void Log_records_and_metric_points_belong_to_the_function_and_the_invocations_span()
    {
        var telemetry = Telemetry(ColdSuccess);
        var logs = OtlpJson.Logs(telemetry)!["resourceLogs"]![0]!;
        var service = logs["resource"]!["attributes"]!.AsArray().Single(a => a!["key"]!.GetValue<string>() == "service.name")!;
        Assert.Equal("ProcessUploadFunction", service["value"]!["stringValue"]!.GetValue<string>());
        var record = logs["scopeLogs"]![0]!["logRecords"]![0]!;
        Assert.Equal(("5759e988bd862e3fe1be46a994272793", telemetry.SpanId, 9, "INFO"), (record["traceId"]!.GetValue<string>(),
            record["spanId"]!.GetValue<string>(), record["severityNumber"]!.GetValue<int>(), record["severityText"]!.GetValue<string>()));
        Assert.Equal("1796678135915000000", OtlpJson.Metrics(telemetry)["resourceMetrics"]![0]!["scopeMetrics"]!.AsArray()
            .Single(scope => scope!["scope"]!["name"]!.GetValue<string>() == "Serverless")!["metrics"]![0]!["gauge"]!["dataPoints"]![0]!
            ["timeUnixNano"]!.GetValue<string>());
    }

    private static Dictionary<string, JsonNode?> Attributes(JsonNode span) =>
        span["attributes"]!.AsArray().ToDictionary(attribute => attribute!["key"]!.GetValue<string>(), attribute => attribute!["value"]);
}
