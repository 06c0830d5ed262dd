using System.Net;
using System.Text;
using System.Text.Json;

namespace Serverless.ModelServer.Tests;

/// <summary>The InvokeEndpoint contract: Hugging Face text-classification in, SageMaker Runtime's answers out.</summary>
public sealed class InvokeEndpointTests(ModelServerFixture server) : IClassFixture<ModelServerFixture>
{
    [Fact]
    public async Task A_single_string_answers_a_one_item_array()
    {
        using var response = await server.InvokeAsync("""{"inputs": "VADER is smart, handsome, and funny."}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("AllTraffic", ModelServerFixture.Header(response, "x-Amzn-Invoked-Production-Variant"));
        Assert.True(Guid.TryParse(ModelServerFixture.Header(response, "x-amzn-RequestId"), out _));
        Assert.Equal("""[{"label":"POSITIVE","score":0.9158}]""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_list_answers_one_item_per_input_in_order()
    {
        string[] texts =
        [
            "The book was good.",
            "VADER is not smart, handsome, nor funny.",
            "The sky is blue.",
            "",
            "Today SUX!",
            "Make sure you :) or :D today!",
        ];

        using var response = await server.InvokeAsync(JsonSerializer.Serialize(new { inputs = texts }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var items = (await ModelServerFixture.JsonAsync(response)).EnumerateArray().ToArray();
        Assert.Equal(
            ["POSITIVE", "NEGATIVE", "NEUTRAL", "NEUTRAL", "NEGATIVE", "POSITIVE"],
            items.Select(item => item.GetProperty("label").GetString()));
        Assert.Equal([0.7202, 0.8712, 1.0, 1.0, 0.7731, 0.9316], items.Select(item => item.GetProperty("score").GetDouble()));
        Assert.All(items, item => Assert.Equal(2, item.EnumerateObject().Count()));
    }

    [Fact]
    public async Task An_empty_list_answers_an_empty_array()
    {
        using var response = await server.InvokeAsync("""{"inputs": []}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("[]", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("application/json; charset=utf-8", null)]
    [InlineData("Application/JSON", "application/json")]
    [InlineData("application/json", "*/*")]
    public async Task Json_content_type_variants_and_accept_headers_are_accepted(string contentType, string? accept)
    {
        using var response = await server.InvokeAsync(
            """{"inputs": ["good"], "parameters": {"truncation": true}}""", contentType: contentType, accept: accept);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""[{"label":"POSITIVE","score":0.7202}]""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Accept_text_csv_answers_csv()
    {
        using var response = await server.InvokeAsync("""{"inputs": ["good", "The sky is blue."]}""", accept: "text/csv");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("label,score\r\nPOSITIVE,0.7202\r\nNEUTRAL,1.0\r\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Ping_answers_200()
    {
        using var response = await server.Client.GetAsync("/ping");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Every_served_endpoint_name_answers()
    {
        using var response = await server.InvokeAsync("""{"inputs": "good"}""", endpoint: "other-endpoint");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task An_unknown_endpoint_is_a_validation_error()
    {
        using var response = await server.InvokeAsync("""{"inputs": "good"}""", endpoint: "no-such-endpoint");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("ValidationError", ModelServerFixture.Header(response, "x-amzn-ErrorType"));
        var body = await ModelServerFixture.JsonAsync(response);
        Assert.Equal("Endpoint no-such-endpoint of account 123456789012 not found.", body.GetProperty("Message").GetString());
    }

    [Theory]
    [InlineData("bad_name", "Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9])*$")]
    [InlineData("-leading-dash", "Member must satisfy regular expression pattern")]
    [InlineData("a1234567890123456789012345678901234567890123456789012345678901234", "Member must have length less than or equal to 63")]
    public async Task An_invalid_endpoint_name_is_a_validation_error(string name, string expected)
    {
        using var response = await server.InvokeAsync("""{"inputs": "good"}""", endpoint: name);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("ValidationError", ModelServerFixture.Header(response, "x-amzn-ErrorType"));
        var message = (await ModelServerFixture.JsonAsync(response)).GetProperty("Message").GetString();
        Assert.StartsWith($"1 validation error detected: Value '{name}' at 'endpointName' failed to satisfy constraint: ", message,
            StringComparison.Ordinal);
        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_of_exactly_6_MB_is_accepted()
    {
        var body = SizedBody(InvokeEndpoint.MaxBodyBytes);

        using var response = await server.InvokeAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""[{"label":"NEUTRAL","score":1}]""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_body_over_6_MB_is_413()
    {
        using var response = await server.InvokeAsync(SizedBody(InvokeEndpoint.MaxBodyBytes + 1));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Null(ModelServerFixture.Header(response, "x-amzn-ErrorType"));
        Assert.Equal("HTTP content length exceeded 6291456 bytes.",
            (await ModelServerFixture.JsonAsync(response)).GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_chunked_body_over_6_MB_is_413_too()
    {
        var bytes = Encoding.UTF8.GetBytes(SizedBody(InvokeEndpoint.MaxBodyBytes + 100));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/endpoints/{ModelServerFixture.Endpoint}/invocations")
        {
            Content = new StreamContent(new NoLengthStream(bytes)),
        };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TransferEncodingChunked = true;

        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Theory]
    [InlineData("""{"inputs": "good" """, "The request body is not valid JSON")]
    [InlineData("", "The request body is not valid JSON")]
    [InlineData("""["good"]""", "must be a JSON object with an \\\"inputs\\\" field, not a JSON array")]
    [InlineData("""{"text": "good"}""", "has no \\\"inputs\\\" field")]
    [InlineData("""{"inputs": 42}""", "\\\"inputs\\\" must be a string or an array of strings, not a JSON number")]
    [InlineData("""{"inputs": ["good", null]}""", "inputs[1] is a JSON null")]
    public async Task A_request_the_model_cannot_read_is_a_model_error_with_the_containers_400(string body, string expected)
    {
        using var response = await server.InvokeAsync(body);

        await AssertModelErrorAsync(response, 400, expected);
    }

    [Theory]
    [InlineData("text/plain", null, "Content type text/plain is not supported by this framework")]
    [InlineData("", null, "Content type (none) is not supported by this framework")]
    [InlineData("application/json", "application/x-npy", "Accept type application/x-npy is not supported by this framework")]
    public async Task An_unsupported_content_type_or_accept_is_a_model_error(string contentType, string? accept, string expected)
    {
        using var response = await server.InvokeAsync("""{"inputs": "good"}""", contentType: contentType, accept: accept);

        await AssertModelErrorAsync(response, 400, expected);
    }

    [Fact]
    public async Task Only_post_reaches_the_invocations_route()
    {
        using var response = await server.Client.GetAsync($"/endpoints/{ModelServerFixture.Endpoint}/invocations");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    /// <summary>SageMaker Runtime's ModelError for a container answer: 424, the container's status and body, the log links.</summary>
    internal static async Task AssertModelErrorAsync(HttpResponseMessage response, int originalStatus, string expectedInOriginal)
    {
        Assert.Equal((HttpStatusCode)424, response.StatusCode);
        Assert.Equal("ModelError", ModelServerFixture.Header(response, "x-amzn-ErrorType"));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await ModelServerFixture.JsonAsync(response);
        Assert.Equal(originalStatus, body.GetProperty("OriginalStatusCode").GetInt32());
        var original = body.GetProperty("OriginalMessage").GetString()!;
        Assert.Contains(expectedInOriginal, original, StringComparison.Ordinal);
        var container = JsonDocument.Parse(original).RootElement;
        Assert.Equal(originalStatus, container.GetProperty("code").GetInt32());
        Assert.Equal("InternalServerException", container.GetProperty("type").GetString());
        var kind = originalStatus < 500 ? "client" : "server";
        Assert.Equal(
            $"Received {kind} error ({originalStatus}) from primary with message \"{original}\". " +
            "See https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logEventViewer:group=" +
            "/aws/sagemaker/Endpoints/sentiment-local " +
            "in account 123456789012 for more information.",
            body.GetProperty("Message").GetString());
        Assert.Equal(
            "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/Endpoints/sentiment-local:log-stream:AllTraffic/local",
            body.GetProperty("LogStreamArn").GetString());
    }

    /// <summary>A JSON body of exactly <paramref name="size"/> bytes: one long neutral word.</summary>
    private static string SizedBody(int size)
    {
        const string prefix = "{\"inputs\": \"", suffix = "\"}";
        return prefix + new string('x', size - prefix.Length - suffix.Length) + suffix;
    }

    private sealed class NoLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
