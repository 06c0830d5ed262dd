using System.Text.Json;

namespace Serverless.ServiceDefaults.Tests;

/// <summary>
/// What the framework refuses before an endpoint runs is answered like the endpoints' own rule violations: a 400 validation
/// problem naming the field by its JSON name, in words, without .NET's type names or reader positions.
/// </summary>
public sealed class BadRequestProblemTests
{
    [Theory]
    [InlineData("""{"name": "a", "foo": 1}""", "foo", "Unknown field.", "The body has a field this API does not take: foo.")]
    [InlineData("""{"foo": {"bar": [1]}}""", "foo", "Unknown field.", "The body has a field this API does not take: foo.")]
    [InlineData("""{"texts": "x"}""", "texts", "Must be an array of strings.", "The body's field texts must be an array of strings.")]
    [InlineData("""{"texts": ["a", 1]}""", "texts[1]", "Must be a string.", "The body's field texts[1] must be a string.")]
    [InlineData("""{"Name": 5}""", "Name", "Must be a string.", "The body's field Name must be a string.")]
    [InlineData("""{"size": "ten"}""", "size", "Must be a whole number.", "The body's field size must be a whole number.")]
    [InlineData("""{"size": 1.5}""", "size", "Must be a whole number.", "The body's field size must be a whole number.")]
    [InlineData("""{"draft": "yes"}""", "draft", "Has the wrong type.", "The body's field draft has the wrong type.")]
    [InlineData("""["a"]""", "body", "Must be an object.", "The body must be an object.")]
    public async Task A_body_of_the_wrong_shape_names_the_field(string body, string field, string message, string detail)
    {
        await using var api = await ProbeApi.StartAsync();

        var problem = await ValidationProblemAsync(api, "POST", "/probe", body);

        Assert.Equal([field], problem.GetProperty("errors").EnumerateObject().Select(error => error.Name));
        Assert.Equal([message], problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(item => item.GetString()));
        Assert.Equal(detail, problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("""{"texts": [}""", "The body is not valid JSON: the error is at line 1, byte 12.")]
    [InlineData("{\n  \"texts\": [\n    tru ]}", "The body is not valid JSON: the error is at line 3, byte 8.")]
    [InlineData("""{"name": """, "The body is not valid JSON: the error is at line 1, byte 10.")]
    public async Task Broken_json_says_where(string body, string detail)
    {
        await using var api = await ProbeApi.StartAsync();

        var problem = await ValidationProblemAsync(api, "POST", "/probe", body);

        Assert.Equal("""{"body":["Not valid JSON."]}""", problem.GetProperty("errors").GetRawText());
        Assert.Equal(detail, problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData(null, "application/json")]
    [InlineData(null, null)]
    [InlineData("", "application/json")]
    [InlineData("null", "application/json")]
    public async Task No_body_is_asked_for(string? body, string? contentType)
    {
        await using var api = await ProbeApi.StartAsync();

        var problem = await ValidationProblemAsync(api, "POST", "/probe", body, contentType);

        Assert.Equal("""{"body":["A JSON body is required."]}""", problem.GetProperty("errors").GetRawText());
        Assert.Equal("A JSON body is required.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_answer_has_the_members_of_the_endpoints_own_validation_problems_and_a_detail()
    {
        await using var api = await ProbeApi.StartAsync();

        var rule = await ValidationProblemAsync(api, "POST", "/probe", """{"size": 0}""");
        var binding = await ValidationProblemAsync(api, "POST", "/probe", """{"size": "none"}""");

        Assert.Equal(["errors", "requestId", "status", "title", "traceId", "type"], Members(rule));
        Assert.Equal(["detail", .. Members(rule)], Members(binding));
        foreach (var member in new[] { "type", "title", "status", "requestId" })
            Assert.Equal(rule.GetProperty(member).GetRawText(), binding.GetProperty(member).GetRawText());
        Assert.Equal("One or more validation errors occurred.", binding.GetProperty("title").GetString());
        Assert.Equal("probe-request", binding.GetProperty("requestId").GetString());
    }

    [Fact]
    public async Task The_log_keeps_the_frameworks_reason()
    {
        await using var api = await ProbeApi.StartAsync();

        await api.SendAsync("POST", "/probe", """{"texts": "x"}""");

        var logs = api.Logs.Buffer;
        Assert.Contains("Bad request POST /probe", logs);
        Assert.Contains("could not be converted to System.Collections.Generic.IReadOnlyList", logs);
    }

    [Theory]
    [InlineData("text/plain", "Send the body as JSON with 'Content-Type: application/json'; this request's is 'text/plain'.")]
    [InlineData(null, "Send the body as JSON with 'Content-Type: application/json'; this request has no content type.")]
    public async Task A_body_that_is_not_json_stays_a_415_that_says_what_to_send(string? contentType, string detail)
    {
        await using var api = await ProbeApi.StartAsync();

        var response = await api.SendAsync("POST", "/probe", "name=a", contentType);

        Assert.Equal(415, response.StatusCode);
        var problem = Problem(response);
        Assert.False(problem.TryGetProperty("errors", out _));
        Assert.Equal(detail, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_oversized_body_stays_a_413_that_says_the_limit()
    {
        await using var api = await ProbeApi.StartAsync();

        var body = $$"""{"name": "{{new string('a', 300_000)}}"}""";
        var response = await api.SendAsync("POST", "/probe", body);

        Assert.Equal(413, response.StatusCode);
        Assert.Equal($"The request body is {body.Length} bytes; this API takes at most 256 KiB (262144 bytes).",
            Problem(response).GetProperty("detail").GetString());
    }

    /// <summary>The 400 problem of a request, checked for what every such answer is: a validation problem without .NET's words.</summary>
    private static async Task<JsonElement> ValidationProblemAsync(ProbeApi api, string method, string path, string? body = null,
        string? contentType = "application/json")
    {
        var response = await api.SendAsync(method, path, body, contentType);

        Assert.Equal(400, response.StatusCode);
        Assert.DoesNotMatch("System\\.|Nullable|LineNumber|BytePosition|\\$\\.|\\.NET", response.Body);
        var problem = Problem(response);
        Assert.Equal("https://tools.ietf.org/html/rfc9110#section-15.5.1", problem.GetProperty("type").GetString());
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        return problem;
    }

    private static JsonElement Problem(Kernel.Events.APIGatewayHttpApiV2ProxyResponse response)
    {
        Assert.Equal("application/problem+json", response.Headers!["Content-Type"]);
        return JsonDocument.Parse(response.Body!).RootElement;
    }

    private static IEnumerable<string> Members(JsonElement problem) => problem.EnumerateObject().Select(member => member.Name).Order();
}
