using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Local.Lambda;

namespace Serverless.Local.Telemetry;

/// <summary>
/// What one invocation tells: its span (Lambda's REPORT figures as attributes), the function's log lines as log records,
/// the EMF documents among them as metric samples, and Lambda's own metrics for it. Built once the invocation's output
/// settled (<see cref="InvocationLog.SettledAsync"/>).
/// </summary>
public sealed record InvocationTelemetry(
    FunctionDefinition Function,
    string RequestId,
    XRayTraceHeader Trace,
    string? ParentSpanId,
    DateTimeOffset Start,
    DateTimeOffset End,
    InvocationResult Result,
    string? ErrorType,
    IReadOnlyList<FunctionLogLine> Logs,
    IReadOnlyList<MetricSample> Metrics,
    IReadOnlyList<string> Problems)
{
    /// <summary>The invocation's span id: the Parent the function got in its trace header.</summary>
    public string SpanId => Trace.Parent!;

    /// <param name="lines">What the function printed during the invocation.</param>
    public static InvocationTelemetry From(FunctionDefinition function, Invocation invocation, InvocationResult result,
        DateTimeOffset end, string lines)
    {
        var logs = new List<FunctionLogLine>();
        var metrics = new List<MetricSample>();
        var problems = new List<string>();
        foreach (var line in lines.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (JsonObjectOrNull(line) is not { } json)
            {
                logs.Add(FunctionLogLine.FromText(line));
                continue;
            }
            if (!EmfDocument.IsEmf(json))
            {
                logs.Add(FunctionLogLine.FromJson(json));
                continue;
            }
            try
            {
                metrics.AddRange(EmfDocument.Parse(json));
            }
            catch (FormatException invalid)
            {
                // CloudWatch keeps such a line as a log event and extracts nothing from it.
                problems.Add($"an EMF line was not extracted ({invalid.Message}): {line}");
                logs.Add(FunctionLogLine.FromJson(json));
            }
        }
        var telemetry = new InvocationTelemetry(function, invocation.RequestId, invocation.Trace, invocation.CallerTrace.Parent,
            invocation.InvokedAt, end, result, ErrorTypeOf(result), logs, metrics, problems);
        metrics.AddRange(telemetry.LambdaMetrics());
        return telemetry;
    }

    /// <summary>
    /// What Lambda itself publishes for the invocation: <c>AWS/Lambda</c> Invocations, Errors and Duration by FunctionName,
    /// and, as the Lambda Insights extension does, <c>LambdaInsights</c> init_duration (cold starts only) and
    /// used_memory_max by function_name.
    /// </summary>
    private IEnumerable<MetricSample> LambdaMetrics()
    {
        var byName = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["FunctionName"] = Function.Name };
        var insights = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["function_name"] = Function.Name };
        yield return new MetricSample("AWS/Lambda", "Invocations", byName, 1, "Count", End);
        yield return new MetricSample("AWS/Lambda", "Errors", byName, Result.FunctionError is null ? 0 : 1, "Count", End);
        yield return new MetricSample("AWS/Lambda", "Duration", byName, Result.Duration.TotalMilliseconds, "Milliseconds", End);
        if (Result.InitDuration is { } init)
            yield return new MetricSample("LambdaInsights", "init_duration", insights, init.TotalMilliseconds, "Milliseconds", End);
        yield return new MetricSample("LambdaInsights", "used_memory_max", insights, Result.MaxMemoryUsedMB, "Megabytes", End);
    }

    /// <summary>The error payload's <c>errorType</c> (e.g. <c>Sandbox.Timedout</c>, an exception's name); <c>Unhandled</c> when it
    /// names none.</summary>
    private static string? ErrorTypeOf(InvocationResult result)
    {
        if (result.FunctionError is null) return null;
        try
        {
            return JsonNode.Parse(result.Payload)?["errorType"]?.GetValue<string>() ?? result.FunctionError;
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException)
        {
            return result.FunctionError;
        }
    }

    private static JsonObject? JsonObjectOrNull(string line)
    {
        if (!line.StartsWith('{')) return null;
        try
        {
            return JsonNode.Parse(line) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
