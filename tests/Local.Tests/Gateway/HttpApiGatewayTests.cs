using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Serverless.Local.Gateway;
using Serverless.Local.Tests.Lambda;

namespace Serverless.Local.Tests.Gateway;

/// <summary>
/// The gateway between a client and a function (a shell runtime, <see cref="ShellFunctions"/>): the payload format 2.0 event
/// it sends, property by property and in API Gateway's order, and how it turns the function's answer into the response.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class HttpApiGatewayTests : JwtAuthorizerTestBase, IAsyncLifetime
{
    // Cookies as the test writes them, not from a cookie container.
    private readonly HttpClient http = new(new SocketsHttpHandler { UseCookies = false });
    private ShellFunctions functions = null!;
    private HttpApiGateway gateway = null!;

    public async Task InitializeAsync()
    {
        functions = await ShellFunctions.StartAsync();
        // Answers {"event": …}: no statusCode, so the gateway passes it on as a 200 JSON body.
        functions.Register("echo", ShellFunction.Answering(""));
        // Answers with the payload format 2.0 response in the file the event names.
        functions.Register("respond", "while true; do\n" + ShellFunctions.Next + """

              sed -e 's/.*"body":"\([^"]*\)".*/\1/' event | base64 -d > answer
              curl -s -X POST --data-binary @answer "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$id/response"
            done
            """);
        gateway = await HttpApiGateway.StartAsync(0,
        [
            new HttpApiRoute("POST", "/items/{id}", "echo", "cognito", ["orders/read"]),
            new HttpApiRoute("GET", "/public", "echo", null, []),
            new HttpApiRoute("GET", "/mine", "echo", "cognito", []),
            new HttpApiRoute("POST", "/respond", "respond", null, []),
        ], new Dictionary<string, JwtAuthorizer> { ["cognito"] = Create().Authorizer }, null, functions.Service, _ => { });
    }

    public async Task DisposeAsync()
    {
        await gateway.DisposeAsync();
        await functions.DisposeAsync();
        http.Dispose();
    }

    [Fact]
    public async Task Sends_an_authorized_request_as_the_payload_format_2_0_event()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{gateway.Endpoint}/items/a%20b?x=1&y=2&x=3&flag")
        {
            Content = new StringContent("""{"n":"é"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", issuer.Mint(AccessToken()));
        request.Headers.Add("Cookie", "a=1; b=2");
        request.Headers.Add("X-Custom", "v1");
        request.Headers.UserAgent.ParseAdd("tests/1.0");

        using var response = await http.SendAsync(request);
        var (sent, requestId) = await EventAsync(response);

        Assert.Equal(["version", "routeKey", "rawPath", "rawQueryString", "cookies", "headers", "queryStringParameters",
            "pathParameters", "requestContext", "body", "isBase64Encoded"], Names(sent));
        Assert.Equal("2.0", sent.GetProperty("version").GetString());
        Assert.Equal("POST /items/{id}", sent.GetProperty("routeKey").GetString());
        Assert.Equal("/items/a b", sent.GetProperty("rawPath").GetString());
        Assert.Equal("x=1&y=2&x=3&flag", sent.GetProperty("rawQueryString").GetString());
        Assert.Equal(["a=1", "b=2"], sent.GetProperty("cookies").EnumerateArray().Select(cookie => cookie.GetString()));
        var headers = sent.GetProperty("headers");
        Assert.Equal("v1", headers.GetProperty("x-custom").GetString());
        Assert.Equal("tests/1.0", headers.GetProperty("user-agent").GetString());
        Assert.Equal("application/json; charset=utf-8", headers.GetProperty("content-type").GetString());
        Assert.False(headers.TryGetProperty("cookie", out _));
        Assert.All(Names(headers), name => Assert.Equal(name.ToLowerInvariant(), name));
        Assert.Equal("""{"x":"1,3","y":"2","flag":""}""", sent.GetProperty("queryStringParameters").GetRawText());
        Assert.Equal("""{"id":"a b"}""", sent.GetProperty("pathParameters").GetRawText());
        Assert.Equal("""{"n":"é"}""", sent.GetProperty("body").GetString());
        Assert.False(sent.GetProperty("isBase64Encoded").GetBoolean());

        var context = sent.GetProperty("requestContext");
        Assert.Equal(["accountId", "apiId", "authorizer", "domainName", "domainPrefix", "http", "requestId", "routeKey", "stage",
            "time", "timeEpoch"], Names(context));
        Assert.Equal("000000000000", context.GetProperty("accountId").GetString());
        Assert.Equal("local", context.GetProperty("apiId").GetString());
        var jwt = context.GetProperty("authorizer").GetProperty("jwt");
        Assert.Equal(["claims", "scopes"], Names(jwt));
        Assert.Equal("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", jwt.GetProperty("claims").GetProperty("sub").GetString());
        Assert.Equal("[admin editor]", jwt.GetProperty("claims").GetProperty("cognito:groups").GetString());
        Assert.Equal("2", jwt.GetProperty("claims").GetProperty("version").GetString());
        Assert.Equal(["aws.cognito.signin.user.admin", "orders/read"],
            jwt.GetProperty("scopes").EnumerateArray().Select(scope => scope.GetString()));
        Assert.Equal(new Uri(gateway.Endpoint).Authority, context.GetProperty("domainName").GetString());
        Assert.Equal("127", context.GetProperty("domainPrefix").GetString());
        Assert.Equal("""{"method":"POST","path":"/items/a b","protocol":"HTTP/1.1","sourceIp":"127.0.0.1","userAgent":"tests/1.0"}""",
            context.GetProperty("http").GetRawText());
        Assert.Equal(requestId, context.GetProperty("requestId").GetString());
        Assert.Equal("POST /items/{id}", context.GetProperty("routeKey").GetString());
        Assert.Equal("$default", context.GetProperty("stage").GetString());
        var epoch = DateTimeOffset.FromUnixTimeMilliseconds(context.GetProperty("timeEpoch").GetInt64());
        Assert.InRange(DateTimeOffset.UtcNow - epoch, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        Assert.Equal(epoch.ToString("dd/MMM/yyyy:HH:mm:ss +0000", System.Globalization.CultureInfo.InvariantCulture),
            context.GetProperty("time").GetString());
    }

    [Fact]
    public async Task Leaves_out_what_a_request_does_not_have()
    {
        using var response = await http.GetAsync($"{gateway.Endpoint}/public");
        var (sent, _) = await EventAsync(response);

        Assert.Equal(["version", "routeKey", "rawPath", "rawQueryString", "headers", "requestContext", "isBase64Encoded"],
            Names(sent));
        Assert.Equal("", sent.GetProperty("rawQueryString").GetString());
        Assert.False(sent.GetProperty("isBase64Encoded").GetBoolean());
        Assert.False(sent.GetProperty("requestContext").TryGetProperty("authorizer", out _));
    }

    [Fact]
    public async Task Sends_null_scopes_for_an_authorized_route_that_declares_none()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{gateway.Endpoint}/mine");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", issuer.Mint(AccessToken()));

        using var response = await http.SendAsync(request);
        var (sent, _) = await EventAsync(response);

        var jwt = sent.GetProperty("requestContext").GetProperty("authorizer").GetProperty("jwt");
        Assert.Equal(JsonValueKind.Null, jwt.GetProperty("scopes").ValueKind);
        Assert.Equal("alice", jwt.GetProperty("claims").GetProperty("username").GetString());
    }

    [Fact]
    public async Task Sends_a_binary_body_base64_encoded()
    {
        byte[] bytes = [0, 1, 2, 255];
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{gateway.Endpoint}/items/1") { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", issuer.Mint(AccessToken()));

        using var response = await http.SendAsync(request);
        var (sent, _) = await EventAsync(response);

        Assert.Equal(Convert.ToBase64String(bytes), sent.GetProperty("body").GetString());
        Assert.True(sent.GetProperty("isBase64Encoded").GetBoolean());
    }

    [Fact]
    public async Task Answers_with_the_status_headers_cookies_and_body_the_function_gives()
    {
        using var response = await RespondAsync("""
            {"statusCode":201,"headers":{"x-answer":"yes","x-count":5,"content-type":"text/plain"},"cookies":["c=1","d=2; Path=/"],
             "body":"AAEC/w==","isBase64Encoded":true}
            """);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("yes", response.Headers.GetValues("x-answer").Single());
        Assert.Equal("5", response.Headers.GetValues("x-count").Single());
        Assert.Equal(["c=1", "d=2; Path=/"], response.Headers.GetValues("set-cookie"));
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.ToString());
        Assert.Equal([0, 1, 2, 255], await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Answers_a_text_body_as_utf_8()
    {
        using var response = await RespondAsync("""{"statusCode":404,"body":"{\"message\":\"né\"}"}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("""{"message":"né"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Passes_on_an_answer_without_status_code_as_a_200_json_body()
    {
        using var response = await RespondAsync("""[1, {"statusCode":500}]""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("""[1, {"statusCode":500}]""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Answers_500_for_an_answer_that_is_not_json()
    {
        using var response = await RespondAsync("not json");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("""{"message":"Internal Server Error"}""", await response.Content.ReadAsStringAsync());
    }

    /// <summary>Has the <c>respond</c> function answer exactly <paramref name="answer"/>.</summary>
    private async Task<HttpResponseMessage> RespondAsync(string answer)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(answer));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return await http.PostAsync($"{gateway.Endpoint}/respond", content);
    }

    /// <summary>The event the echo function got, and the request id the gateway answered with.</summary>
    private static async Task<(JsonElement Event, string RequestId)> EventAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (body.GetProperty("event"), response.Headers.GetValues("apigw-requestid").Single());
    }

    private static List<string> Names(JsonElement json) => json.EnumerateObject().Select(property => property.Name).ToList();
}
