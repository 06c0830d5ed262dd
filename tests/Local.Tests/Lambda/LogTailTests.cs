using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Serverless.Local.Lambda;

namespace Serverless.Local.Tests.Lambda;

/// <summary>
/// The Invoke API's <c>X-Amz-Log-Type: Tail</c>: <c>X-Amz-Log-Result</c> carries the base64 of the last 4 KB of that
/// invocation's log (START, the function's stdout and stderr, END, REPORT), as Lambda answers a synchronous invocation.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class LogTailTests : IAsyncLifetime
{
    private readonly string packages = Path.Combine(Path.GetTempPath(), "log-tail-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly HttpClient http = new();
    private LambdaService service = null!;

    public async Task InitializeAsync() => service = await LambdaService.StartAsync(0,
        new AsyncInvocationSettings(Path.Combine(packages, "failures"), TimeSpan.FromSeconds(1)), _ => { });

    public async Task DisposeAsync()
    {
        await service.DisposeAsync();
        http.Dispose();
        Directory.Delete(packages, recursive: true);
    }

    [Fact]
    public async Task Tail_returns_this_invocations_lines_between_START_and_REPORT()
    {
        Register("talks", ShellFunction.Answering("""echo "out $(cat event)"; echo "err $(cat event)" >&2"""));

        using var first = await InvokeAsync("talks", """{"n":1}""", tail: true);
        using var second = await InvokeAsync("talks", """{"n":2}""", tail: true);

        var log = Tail(second);
        var lines = log.TrimEnd('\n').Split('\n');
        var requestId = StartLine().Match(lines[0]);
        Assert.True(requestId.Success, log);
        Assert.Contains("""out {"n":2}""", lines);
        Assert.Contains("""err {"n":2}""", lines);
        Assert.DoesNotContain("""out {"n":1}""", log);
        Assert.Equal($"END RequestId: {requestId.Groups[1].Value}", lines[^2]);
        Assert.Matches($@"^REPORT RequestId: {requestId.Groups[1].Value}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
            + @"Memory Size: 128 MB\tMax Memory Used: [1-9]\d* MB\t$", lines[^1]);
        Assert.Contains("Init Duration: ", Tail(first));
        Assert.DoesNotContain("Init Duration: ", log);
    }

    [Fact]
    public async Task Tail_keeps_the_last_4_KB()
    {
        Register("chatty", ShellFunction.Answering("""for i in $(seq 1 400); do echo "line $i of a long log"; done"""));

        using var response = await InvokeAsync("chatty", "{}", tail: true);

        var bytes = Convert.FromBase64String(response.Headers.GetValues("X-Amz-Log-Result").Single());
        Assert.Equal(4096, bytes.Length);
        var log = Encoding.UTF8.GetString(bytes);
        Assert.Contains("line 400 of a long log\nEND RequestId: ", log);
        Assert.DoesNotContain("START RequestId:", log);
        Assert.StartsWith("REPORT RequestId: ", log.TrimEnd('\n').Split('\n')[^1]);
    }

    [Fact]
    public async Task Without_Tail_there_is_no_log_result_and_an_error_still_has_its_tail()
    {
        Register("fails", """
            while true; do
              curl -s -D headers -o event "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next"
              id=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' headers | cut -d' ' -f2 | tr -d '\r')
              echo "about to fail"
              curl -s -X POST -d '{"errorMessage":"boom","errorType":"Oops"}' \
                "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$id/error"
            done
            """);

        using var plain = await InvokeAsync("fails", "{}", tail: false);
        using var tailed = await InvokeAsync("fails", "{}", tail: true);

        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.False(plain.Headers.Contains("X-Amz-Log-Result"));
        Assert.Equal("Unhandled", tailed.Headers.GetValues("X-Amz-Function-Error").Single());
        Assert.Contains("about to fail\nEND RequestId: ", Tail(tailed));
    }

    [Fact]
    public async Task The_JSON_log_format_has_platform_start_and_report_records()
    {
        Register("json", ShellFunction.Answering("""sleep 0.3; echo '{"level":"INFO","message":"hello"}'"""), logFormat: "JSON");

        using var response = await InvokeAsync("json", "{}", tail: true);

        var lines = Tail(response).TrimEnd('\n').Split('\n').Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal("platform.start", lines[0].GetProperty("type").GetString());
        Assert.Equal("hello", lines[1].GetProperty("message").GetString());
        var report = lines[^1];
        Assert.Equal("platform.report", report.GetProperty("type").GetString());
        Assert.Equal(lines[0].GetProperty("record").GetProperty("requestId").GetString(),
            report.GetProperty("record").GetProperty("requestId").GetString());
        // platform.start is timed when the invocation started, not when the tail was put together after it.
        Assert.True(report.GetProperty("time").GetDateTimeOffset() - lines[0].GetProperty("time").GetDateTimeOffset()
            >= TimeSpan.FromMilliseconds(300));
        var metrics = report.GetProperty("record").GetProperty("metrics");
        Assert.Equal(128, metrics.GetProperty("memorySizeMB").GetInt32());
        Assert.True(metrics.GetProperty("maxMemoryUsedMB").GetInt32() > 0);
        Assert.True(metrics.TryGetProperty("initDurationMs", out _));
        Assert.Equal("success", report.GetProperty("record").GetProperty("status").GetString());
    }

    private static string Tail(HttpResponseMessage response) =>
        Encoding.UTF8.GetString(Convert.FromBase64String(response.Headers.GetValues("X-Amz-Log-Result").Single()));

    private void Register(string name, string script, string logFormat = "Text") =>
        service.Register(new FunctionDefinition(name, $"{name}.handler", ShellFunction.WritePackage(Path.Combine(packages, name), script),
            TimeSpan.FromSeconds(10), 128, null,
            new Dictionary<string, string> { ["_HANDLER"] = $"{name}.handler", ["PATH"] = "/usr/bin:/bin",
                ["AWS_LAMBDA_LOG_FORMAT"] = logFormat }));

    private async Task<HttpResponseMessage> InvokeAsync(string function, string payload, bool tail)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{service.Endpoint}/2015-03-31/functions/{function}/invocations")
        {
            Content = new StringContent(payload, Encoding.UTF8),
        };
        if (tail) request.Headers.Add("X-Amz-Log-Type", "Tail");
        return await http.SendAsync(await request.SignedAsync("lambda"));
    }

    [GeneratedRegex(@"^START RequestId: ([0-9a-f-]{36}) Version: \$LATEST$")]
    private static partial Regex StartLine();
}
