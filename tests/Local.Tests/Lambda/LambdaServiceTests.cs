using System.Net;
using System.Text.Json;

namespace Serverless.Local.Tests.Lambda;

/// <summary>
/// The local Lambda service with real processes (see <see cref="ShellFunctions"/>): warm reuse, errors,
/// timeouts, crashes, init errors.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LambdaServiceTests : IAsyncLifetime
{
    private ShellFunctions functions = null!;

    public async Task InitializeAsync() => functions = await ShellFunctions.StartAsync();

    public async Task DisposeAsync() => await functions.DisposeAsync();

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
        functions.Register("echo", Echo);

        using var first = await functions.InvokeAsync("echo", """{"n":1}""");
        using var second = await functions.InvokeAsync("echo", """{"n":2}""");

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
        functions.Register("fails", """
            curl -s -D headers -o event "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next"
            id=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' headers | cut -d' ' -f2 | tr -d '\r')
            curl -s -X POST -d '{"errorMessage":"boom","errorType":"InvalidOperationException","stackTrace":[]}' \
              "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$id/error"
            sleep 30
            """);

        using var response = await functions.InvokeAsync("fails", "{}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Unhandled", response.Headers.GetValues("X-Amz-Function-Error").Single());
        Assert.Equal("boom", (await BodyAsync(response)).GetProperty("errorMessage").GetString());
    }

    [Fact]
    public async Task An_invocation_past_the_timeout_fails_as_Lambda_reports_it_and_the_instance_is_replaced()
    {
        functions.Register("slow", """
            curl -s -o /dev/null "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next"
            sleep 30
            """, timeout: TimeSpan.FromSeconds(1));

        using var response = await functions.InvokeAsync("slow", "{}");

        var error = await BodyAsync(response);
        Assert.Equal("Unhandled", response.Headers.GetValues("X-Amz-Function-Error").Single());
        Assert.Equal("Sandbox.Timedout", error.GetProperty("errorType").GetString());
        Assert.EndsWith("Task timed out after 1.00 seconds", error.GetProperty("errorMessage").GetString());
    }

    [Fact]
    public async Task A_runtime_that_exits_fails_the_invocation_with_Runtime_ExitError()
    {
        functions.Register("crashes", """
            curl -s -o /dev/null "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next"
            exit 3
            """);

        using var response = await functions.InvokeAsync("crashes", "{}");

        var error = await BodyAsync(response);
        Assert.Equal("Runtime.ExitError", error.GetProperty("errorType").GetString());
        Assert.EndsWith("Runtime exited with error: exit status 3", error.GetProperty("errorMessage").GetString());
    }

    [Fact]
    public async Task An_init_error_is_the_invocations_error()
    {
        functions.Register("broken", """
            curl -s -X POST -d '{"errorMessage":"no TABLE_NAME","errorType":"InvalidOperationException","stackTrace":[]}' \
              "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/init/error"
            exit 1
            """);

        using var response = await functions.InvokeAsync("broken", "{}");

        Assert.Equal("Unhandled", response.Headers.GetValues("X-Amz-Function-Error").Single());
        Assert.Equal("no TABLE_NAME", (await BodyAsync(response)).GetProperty("errorMessage").GetString());
    }

    [Fact]
    public async Task The_Invoke_API_answers_Event_DryRun_unknown_functions_and_bad_json_as_Lambda_does()
    {
        functions.Register("echo", Echo);

        using var asynchronous = await functions.InvokeAsync("echo", "{}", "Event");
        using var dryRun = await functions.InvokeAsync("echo", "{}", "DryRun");
        using var unknown = await functions.InvokeAsync("missing", "{}");
        using var byArn = await functions.InvokeAsync("arn:aws:lambda:us-east-1:000000000000:function:echo", """{"n":3}""");
        using var notJson = await functions.InvokeAsync("echo", "{not json");

        Assert.Equal(HttpStatusCode.Accepted, asynchronous.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, dryRun.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("ResourceNotFoundException", unknown.Headers.GetValues("x-amzn-ErrorType").Single());
        Assert.Equal(3, (await BodyAsync(byArn)).GetProperty("event").GetProperty("n").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal("InvalidRequestContentException", notJson.Headers.GetValues("x-amzn-ErrorType").Single());
    }

    [Fact]
    public async Task A_qualified_name_or_ARN_invokes_the_alias_or_LATEST_and_an_unknown_qualifier_is_not_found()
    {
        functions.Register("echo", Echo, alias: "live");
        const string arn = "arn:aws:lambda:us-east-1:000000000000:function:echo";

        using var byName = await functions.InvokeAsync("echo:live", """{"n":1}""");
        using var byArn = await functions.InvokeAsync($"{arn}:live", """{"n":2}""");
        using var byPartialArn = await functions.InvokeAsync("000000000000:function:echo:$LATEST", """{"n":3}""");
        using var byParameter = await functions.InvokeAsync("echo", """{"n":4}""", qualifier: "live");
        using var asynchronous = await functions.InvokeAsync($"{arn}:live", "{}", "Event");
        using var unknown = await functions.InvokeAsync("echo:prod", "{}");
        using var unknownParameter = await functions.InvokeAsync(arn, "{}", qualifier: "7");
        using var mismatch = await functions.InvokeAsync("echo:live", "{}", qualifier: "$LATEST");

        var answered = await Task.WhenAll(new[] { byName, byArn, byPartialArn, byParameter }.Select(async response =>
            (await BodyAsync(response)).GetProperty("event").GetProperty("n").GetInt32()));
        Assert.Equal([1, 2, 3, 4], answered);
        Assert.Equal(HttpStatusCode.Accepted, asynchronous.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("ResourceNotFoundException", unknown.Headers.GetValues("x-amzn-ErrorType").Single());
        Assert.Equal($"Function not found: {arn}:prod", (await BodyAsync(unknown)).GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknownParameter.StatusCode);
        Assert.Equal($"Function not found: {arn}:7", (await BodyAsync(unknownParameter)).GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, mismatch.StatusCode);
        Assert.Equal("InvalidParameterValueException", mismatch.Headers.GetValues("x-amzn-ErrorType").Single());
    }

    private static async Task<JsonElement> BodyAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
}
