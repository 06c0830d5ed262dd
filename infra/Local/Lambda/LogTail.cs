using System.Text;

namespace Serverless.Local.Lambda;

/// <summary>
/// The Invoke API's <c>X-Amz-Log-Type: Tail</c>: <c>X-Amz-Log-Result</c> is the base64 of the last 4 KB of the
/// invocation's log (START, the function's lines, END, REPORT), as Lambda returns it for a synchronous invocation.
/// </summary>
public static class LogTail
{
    public const int MaxBytes = 4 * 1024;

    public static async Task<string?> Base64Async(FunctionDefinition function, InvocationResult result)
    {
        if (result.Log is not { } log) return null;
        var json = function.Environment.GetValueOrDefault("AWS_LAMBDA_LOG_FORMAT") == "JSON";
        var text = new StringBuilder()
            .Append(InvocationReport.Start(log.RequestId, log.StartedAt, json)).Append('\n')
            .Append(await log.SettledAsync());
        if (!json) text.Append(InvocationReport.End(log.RequestId)).Append('\n');
        text.Append(InvocationReport.Report(log.RequestId, result, function.MemorySize, json)).Append('\n');
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        return Convert.ToBase64String(bytes, Math.Max(0, bytes.Length - MaxBytes), Math.Min(bytes.Length, MaxBytes));
    }
}
