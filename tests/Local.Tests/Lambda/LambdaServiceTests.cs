using System.Net;
using System.Text;
using System.Text.Json;
using Serverless.Local.Lambda;

namespace Serverless.Local.Tests.Lambda;

/// <summary>
/// The local Lambda service with real processes: tiny shell-script runtimes that speak the Runtime
/// API with curl, so each Lambda behaviour (warm reuse, errors, timeouts, crashes, init errors) is
/// driven exactly.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LambdaServiceTests : IAsyncLifetime
{
    private readonly string packages = Path.Combine(Path.GetTempPath(), "lambda-service-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<string> log = [];
    private LambdaService service = null!;
    private readonly HttpClient http = new();

    public async Task InitializeAsync() => service = await LambdaService.StartAsync(0, line => { lock (log) log.Add(line); });

    public async Task DisposeAsync()
    {
        await service.DisposeAsync();
        http.Dispose();
        Directory.Delete(packages, recursive: true);
    }

    /// <summary>Answers every invocation with its payload and the process id, so warm reuse shows.</summary>
    private const string Echo = """
        while true; do
          curl -s -D headers -o event "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next"
          id=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' headers | cut -d' ' -f2 | tr -d '\r')
          printf '{"pid":%s,"handler":"%s","event":%s}' "$$" "$_HANDLER" "$(cat event)" > answer
          curl -s -X POST --data-binary @answer "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$id/response"
        done
        """;

    [Fact]
    public async Task A_warm_instance_serves_the_next_invocation()
    {
        Register("echo", Echo);

        using var first = await InvokeAsync("echo", """{"n":1}""");
        using var second = await InvokeAsync("echo", """{"n":2}""");

        var one = await BodyAsync(first);
        var two = await BodyAsync(second);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(1, one.GetProperty("event").GetProperty("n").GetInt32());
        Assert.Equal(2, two.GetProperty("event").GetProperty("n").GetInt32());
        Assert.Equal("echo.handler", one.GetProperty("handler").GetString());
        Assert.Equal(one.GetProperty("pid").GetInt32(), two.GetProperty("pid").GetInt32());
        Assert.False(first.Headers.Contains("X-Amz-Function-Error"));
    }

    [Fact]
    public async Task A_function_error_is_200_with_X_Amz_Function_Error_and_the_error_document()
    {
        Register("fails", """
            curl -s -D headers -o event "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next"
            id=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' headers | cut -d' ' -f2 | tr -d '\r')
            curl -s -X POST -d '{"errorMessage":"boom","errorType":"InvalidOperationException","stackTrace":[]}' \
              "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$id/error"
            sleep 30
            """);

        using var response = await InvokeAsync("fails", "{}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Unhandled", response.Headers.GetValues("X-Amz-Function-Error").Single());
        Assert.Equal("boom", (await BodyAsync(response)).GetProperty("errorMessage").GetString());
    }

    [Fact]
    public async Task An_invocation_past_the_timeout_fails_as_Lambda_reports_it_and_the_instance_is_replaced()
    {
        Register("slow", """
            curl -s -o /dev/null "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next"
            sleep 30
            """, timeout: TimeSpan.FromSeconds(1));

        using var response = await InvokeAsync("slow", "{}");

        var error = await BodyAsync(response);
        Assert.Equal("Unhandled", response.Headers.GetValues("X-Amz-Function-Error").Single());
        Assert.Equal("Sandbox.Timedout", error.GetProperty("errorType").GetString());
        Assert.EndsWith("Task timed out after 1.00 seconds", error.GetProperty("errorMessage").GetString());
    }

    [Fact]
    public async Task A_runtime_that_exits_fails_the_invocation_with_Runtime_ExitError()
    {
        Register("crashes", """
            curl -s -o /dev/null "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next"
            exit 3
            """);

        using var response = await InvokeAsync("crashes", "{}");

        var error = await BodyAsync(response);
        Assert.Equal("Runtime.ExitError", error.GetProperty("errorType").GetString());
        Assert.EndsWith("Runtime exited with error: exit status 3", error.GetProperty("errorMessage").GetString());
    }

    [Fact]
    public async Task An_init_error_is_the_invocations_error()
    {
        Register("broken", """
            curl -s -X POST -d '{"errorMessage":"no TABLE_NAME","errorType":"InvalidOperationException","stackTrace":[]}' \
              "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/init/error"
            exit 1
            """);

        using var response = await InvokeAsync("broken", "{}");

        Assert.Equal("Unhandled", response.Headers.GetValues("X-Amz-Function-Error").Single());
        Assert.Equal("no TABLE_NAME", (await BodyAsync(response)).GetProperty("errorMessage").GetString());
    }

    [Fact]
    public async Task The_Invoke_API_answers_Event_DryRun_unknown_functions_and_bad_json_as_Lambda_does()
    {
        Register("echo", Echo);

        using var asynchronous = await InvokeAsync("echo", "{}", "Event");
        using var dryRun = await InvokeAsync("echo", "{}", "DryRun");
        using var unknown = await InvokeAsync("missing", "{}");
        using var byArn = await InvokeAsync("arn:aws:lambda:us-east-1:000000000000:function:echo", """{"n":3}""");
        using var notJson = await InvokeAsync("echo", "{not json");

        Assert.Equal(HttpStatusCode.Accepted, asynchronous.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, dryRun.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("ResourceNotFoundException", unknown.Headers.GetValues("x-amzn-ErrorType").Single());
        Assert.Equal(3, (await BodyAsync(byArn)).GetProperty("event").GetProperty("n").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal("InvalidRequestContentException", notJson.Headers.GetValues("x-amzn-ErrorType").Single());
    }

    private void Register(string name, string script, TimeSpan? timeout = null)
    {
        var directory = ShellFunction.WritePackage(Path.Combine(packages, name), script);
        service.Register(new FunctionDefinition(name, $"{name}.handler", directory, timeout ?? TimeSpan.FromSeconds(10), 128, 2,
            new Dictionary<string, string> { ["_HANDLER"] = $"{name}.handler", ["PATH"] = "/usr/bin:/bin" }));
    }

    private async Task<HttpResponseMessage> InvokeAsync(string function, string payload, string invocationType = "RequestResponse")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{service.Endpoint}/2015-03-31/functions/{Uri.EscapeDataString(function)}/invocations")
        {
            Content = new StringContent(payload, Encoding.UTF8),
        };
        request.Headers.Add("X-Amz-Invocation-Type", invocationType);
        return await http.SendAsync(request);
    }

    private static async Task<JsonElement> BodyAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
}
