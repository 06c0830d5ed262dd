using System.Globalization;
using System.Text.Json.Nodes;
using Serverless.Local.Lambda;

namespace Serverless.Local.Telemetry;

/// <summary>
/// An invocation's telemetry as OTLP/HTTP JSON request bodies (<c>ExportTraceServiceRequest</c>,
/// <c>ExportLogsServiceRequest</c>, <c>ExportMetricsServiceRequest</c> in the protocol's JSON mapping: ids in lower-case
/// hex, times as strings of Unix nanoseconds). The resource is the function (<c>service.name</c> its name, with the
/// FaaS resource attributes); the span follows OpenTelemetry's FaaS conventions, with Lambda's REPORT figures under
/// <c>aws.lambda.*</c>; log records carry the span's trace and span ids; each metric sample is a gauge point whose
/// attributes are its dimensions, in a scope named after its namespace.
/// </summary>
public static class OtlpJson
{
    public const string ScopeName = "Serverless.Local";

    public static JsonObject Traces(InvocationTelemetry telemetry)
    {
        var result = telemetry.Result;
        var attributes = new JsonArray
        {
            Attribute("faas.invocation_id", telemetry.RequestId),
            Attribute("faas.coldstart", result.InitDuration is not null),
            Attribute("faas.max_memory", (long)telemetry.Function.MemorySize * 1024 * 1024),
            Attribute("aws.lambda.invoked_arn", telemetry.Function.Arn),
            Attribute("aws.xray.trace_header", telemetry.Trace.ToString()),
            Attribute("aws.lambda.duration_ms", Math.Round(result.Duration.TotalMilliseconds, 2)),
            Attribute("aws.lambda.billed_duration_ms", result.BilledDurationMs),
            Attribute("aws.lambda.memory_size_mb", (long)telemetry.Function.MemorySize),
            Attribute("aws.lambda.max_memory_used_mb", result.MaxMemoryUsedMB),
        };
        if (result.InitDuration is { } init)
            attributes.Add(Attribute("aws.lambda.init_duration_ms", Math.Round(init.TotalMilliseconds, 2)));
        if (telemetry.ErrorType is { } errorType) attributes.Add(Attribute("error.type", errorType));
        var span = new JsonObject
        {
            ["traceId"] = telemetry.Trace.TraceId,
            ["spanId"] = telemetry.SpanId,
            ["name"] = telemetry.Function.Name,
            ["kind"] = 2, // SPAN_KIND_SERVER: the function serving its invocation
            ["startTimeUnixNano"] = Nanoseconds(telemetry.Start),
            ["endTimeUnixNano"] = Nanoseconds(telemetry.End),
            ["attributes"] = attributes,
            ["status"] = telemetry.ErrorType is { } error ? new JsonObject { ["code"] = 2, ["message"] = error } : new JsonObject(),
        };
        if (telemetry.ParentSpanId is { } parent) span["parentSpanId"] = parent;
        return Request("resourceSpans", "scopeSpans", telemetry.Function, [Scope("spans", ScopeName, [span])]);
    }

    /// <summary>Null when the invocation printed nothing but metrics.</summary>
    public static JsonObject? Logs(InvocationTelemetry telemetry)
    {
        if (telemetry.Logs.Count == 0) return null;
        var records = telemetry.Logs.Select(line =>
        {
            var attributes = new JsonArray(line.Attributes.Select(pair => (JsonNode?)Attribute(pair.Key, pair.Value)).ToArray());
            attributes.Add(Attribute("faas.invocation_id", line.RequestId ?? telemetry.RequestId));
            var record = new JsonObject
            {
                ["timeUnixNano"] = Nanoseconds(line.Timestamp ?? telemetry.End),
                ["observedTimeUnixNano"] = Nanoseconds(telemetry.End),
                ["severityNumber"] = line.SeverityNumber,
                ["body"] = new JsonObject { ["stringValue"] = line.Message },
                ["attributes"] = attributes,
                ["traceId"] = telemetry.Trace.TraceId,
                ["spanId"] = telemetry.SpanId,
            };
            if (line.Level is { } level) record["severityText"] = level;
            return (JsonNode?)record;
        }).ToArray();
        return Request("resourceLogs", "scopeLogs", telemetry.Function, [Scope("logRecords", ScopeName, records)]);
    }

    public static JsonObject Metrics(InvocationTelemetry telemetry)
    {
        var scopes = telemetry.Metrics.GroupBy(sample => sample.Namespace).Select(byNamespace => Scope("metrics", byNamespace.Key,
            byNamespace.GroupBy(sample => (sample.Name, sample.Unit)).Select(metric => (JsonNode?)new JsonObject
            {
                ["name"] = metric.Key.Name,
                ["unit"] = Unit(metric.Key.Unit),
                ["gauge"] = new JsonObject
                {
                    ["dataPoints"] = new JsonArray(metric.Select(sample => (JsonNode?)new JsonObject
                    {
                        ["attributes"] = new JsonArray(sample.Dimensions.Select(pair => (JsonNode?)Attribute(pair.Key, pair.Value))
                            .ToArray()),
                        ["timeUnixNano"] = Nanoseconds(sample.Timestamp),
                        ["asDouble"] = sample.Value,
                    }).ToArray()),
                },
            }).ToArray()));
        return Request("resourceMetrics", "scopeMetrics", telemetry.Function, [.. scopes]);
    }

    /// <summary>A CloudWatch unit in UCUM, as OpenTelemetry writes units; <c>None</c> is dimensionless.</summary>
    public static string Unit(string cloudWatchUnit) => cloudWatchUnit switch
    {
        "Seconds" => "s",
        "Milliseconds" => "ms",
        "Microseconds" => "us",
        "Bytes" => "By",
        "Kilobytes" => "kBy",
        "Megabytes" => "MBy",
        "Gigabytes" => "GBy",
        "Percent" => "%",
        "Count" => "{count}",
        "None" => "1",
        _ => cloudWatchUnit,
    };

    private static JsonObject Request(string resourceMember, string scopeMember, FunctionDefinition function, JsonNode?[] scopes) => new()
    {
        [resourceMember] = new JsonArray(new JsonObject
        {
            ["resource"] = new JsonObject
            {
                ["attributes"] = new JsonArray(
                    Attribute("service.name", function.Name),
                    Attribute("cloud.provider", "aws"),
                    Attribute("cloud.platform", "aws_lambda"),
                    Attribute("cloud.region", LocalAccount.Region),
                    Attribute("cloud.resource_id", function.Arn),
                    Attribute("faas.name", function.Name),
                    Attribute("faas.version", "$LATEST")),
            },
            [scopeMember] = new JsonArray(scopes),
        }),
    };

    private static JsonObject Scope(string itemsMember, string name, JsonNode?[] items) => new()
    {
        ["scope"] = new JsonObject { ["name"] = name },
        [itemsMember] = new JsonArray(items),
    };

    private static JsonObject Attribute(string key, string value) => new()
    {
        ["key"] = key,
        ["value"] = new JsonObject { ["stringValue"] = value },
    };

    private static JsonObject Attribute(string key, bool value) => new()
    {
        ["key"] = key,
        ["value"] = new JsonObject { ["boolValue"] = value },
    };

    /// <summary>A 64-bit integer is a JSON string in OTLP's mapping.</summary>
    private static JsonObject Attribute(string key, long value) => new()
    {
        ["key"] = key,
        ["value"] = new JsonObject { ["intValue"] = value.ToString(CultureInfo.InvariantCulture) },
    };

    private static JsonObject Attribute(string key, double value) => new()
    {
        ["key"] = key,
        ["value"] = new JsonObject { ["doubleValue"] = value },
    };

    private static string Nanoseconds(DateTimeOffset time) =>
        ((time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100).ToString(CultureInfo.InvariantCulture);
}
