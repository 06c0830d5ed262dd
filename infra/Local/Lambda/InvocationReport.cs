using System.Globalization;
using System.Text.Json.Nodes;

namespace Serverless.Local.Lambda;

/// <summary>
/// Lambda's platform lines around an invocation's own log lines: START, END and REPORT in the Text log format,
/// <c>platform.start</c> and <c>platform.report</c> records in the JSON log format.
/// </summary>
public static class InvocationReport
{
    /// <param name="startedAt">When the invocation started: <c>platform.start</c>'s time, before the function's own lines.</param>
    public static string Start(string requestId, DateTimeOffset startedAt, bool json) => json
        ? Platform("platform.start", new JsonObject { ["requestId"] = requestId, ["version"] = "$LATEST" }, startedAt)
        : $"START RequestId: {requestId} Version: $LATEST";

    public static string End(string requestId) => $"END RequestId: {requestId}";

    /// <summary>
    /// <c>REPORT RequestId: … Duration: … Billed Duration: … Memory Size: … Max Memory Used: … Init Duration: …</c>,
    /// tab-separated as Lambda writes it. Billed duration is rounded up to the millisecond and, as for every custom runtime
    /// (<c>provided.al2023</c>), includes the init duration. An invocation Lambda itself ended (<see cref="InvocationResult.ErrorType"/>)
    /// ends with <c>Status: timeout</c>, or <c>Status: error</c> and its <c>Error Type</c> (e.g. <c>Runtime.OutOfMemory</c>).
    /// </summary>
    public static string Report(string requestId, InvocationResult result, int memorySize, bool json)
    {
        var billed = result.BilledDurationMs;
        if (json)
        {
            var metrics = new JsonObject
            {
                ["durationMs"] = Math.Round(result.Duration.TotalMilliseconds, 2),
                ["billedDurationMs"] = billed,
                ["memorySizeMB"] = memorySize,
                ["maxMemoryUsedMB"] = result.MaxMemoryUsedMB,
            };
            if (result.InitDuration is { } init) metrics["initDurationMs"] = Math.Round(init.TotalMilliseconds, 2);
            var record = new JsonObject
            {
                ["requestId"] = requestId,
                ["metrics"] = metrics,
                ["status"] = Status(result) ?? (result.FunctionError is null ? "success" : "error"),
            };
            if (result.ErrorType is { } errorType && Status(result) == "error") record["errorType"] = errorType;
            return Platform("platform.report", record, DateTimeOffset.UtcNow);
        }
        var line = string.Create(CultureInfo.InvariantCulture,
            $"REPORT RequestId: {requestId}\tDuration: {result.Duration.TotalMilliseconds:0.00} ms\tBilled Duration: {billed} ms\t"
                + $"Memory Size: {memorySize} MB\tMax Memory Used: {result.MaxMemoryUsedMB} MB\t");
        if (result.InitDuration is { } initDuration)
            line += string.Create(CultureInfo.InvariantCulture, $"Init Duration: {initDuration.TotalMilliseconds:0.00} ms\t");
        return Status(result) switch
        {
            "timeout" => line + "Status: timeout\t",
            "error" => line + $"Status: error\tError Type: {result.ErrorType}\t",
            _ => line,
        };
    }

    /// <summary><c>timeout</c> or <c>error</c> for an invocation Lambda itself ended; null otherwise.</summary>
    private static string? Status(InvocationResult result) => result.ErrorType switch
    {
        null => null,
        "Sandbox.Timedout" => "timeout",
        _ => "error",
    };

    /// <summary>The peak resident memory of a process (VmHWM), in MB rounded up; 0 when it cannot be read.</summary>
    public static long MaxMemoryUsedMB(int processId)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{processId}/status"))
            {
                if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
                var kilobytes = long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                return (kilobytes + 1023) / 1024;
            }
        }
        catch (IOException)
        {
            // The process has ended.
        }
        return 0;
    }

    private static string Platform(string type, JsonObject record, DateTimeOffset time) => new JsonObject
    {
        ["time"] = time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
        ["type"] = type,
        ["record"] = record,
    }.ToJsonString();
}
