using System.Net;
using System.Text;
using Serverless.Local.Gateway;
using Serverless.Local.Tests.Lambda;

namespace Serverless.Local.Tests.Gateway;

/// <summary>
/// What the HTTP API answers when Lambda refuses its integration's invocation (a throttle, an event over 6 MB) or the
/// function's response is over 6 MB: API Gateway's 500 <c>{"message":"Internal Server Error"}</c>; and a request over HTTP
/// API's 10 MB, refused at the door with 413.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LambdaIntegrationLimitTests : IAsyncLifetime
{
    private readonly HttpClient http = new();
    private ShellFunctions functions = null!;
    private HttpApiGateway gateway = null!;

    public async Task InitializeAsync()
    {
        functions = await ShellFunctions.StartAsync();
        gateway = await HttpApiGateway.StartAsync(0,
            [new HttpApiRoute("POST", "/echo", "echo", null, []), new HttpApiRoute("GET", "/off", "off", null, []),
                new HttpApiRoute("GET", "/big", "big", null, [])],
            new Dictionary<string, JwtAuthorizer>(), null, functions.Service, _ => { });
    }

    public async Task DisposeAsync()
    {
        await gateway.DisposeAsync();
        await functions.DisposeAsync();
        http.Dispose();
    }

    [Fact]
    public async Task A_throttled_integration_is_answered_500_Internal_Server_Error()
    {
        functions.Register("off", ShellFunction.Answering(""), reservedConcurrency: 0);

        using var response = await http.GetAsync($"{gateway.Endpoint}/off");

        await AssertInternalServerErrorAsync(response);
    }

    [Fact]
    public async Task A_request_whose_event_is_over_6_MB_is_answered_500_and_reaches_no_instance()
    {
        functions.Register("echo", ShellFunction.Answering(""));

        // 7 MB of text: within HTTP API's 10 MB, but the event carrying it is over Lambda's 6 MB.
        using var response = await http.PostAsync($"{gateway.Endpoint}/echo",
            new StringContent(new string('a', 7 * 1024 * 1024), Encoding.UTF8, "text/plain"));

        await AssertInternalServerErrorAsync(response);
        Assert.Equal(0, functions.Service.Pool("echo").PeakInstances);
    }

    [Fact]
    public async Task A_function_response_over_6_MB_is_answered_500()
    {
        functions.Register("big", $$"""
            while true; do
              {{ShellFunctions.Next}}
              { printf '"'; head -c 6300000 /dev/zero | tr '\0' a; printf '"'; } > answer
              curl -s -o /dev/null --data-binary @answer "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$id/response"
            done
            """);

        using var response = await http.GetAsync($"{gateway.Endpoint}/big");

        await AssertInternalServerErrorAsync(response);
    }

    [Fact]
    public async Task A_request_over_10_MB_is_refused_with_413_before_any_route()
    {
        // Expect: 100-continue, so that the client reads the refusal rather than write a body the server will not read.
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{gateway.Endpoint}/echo")
        {
            Content = new ByteArrayContent(new byte[HttpApiGateway.MaxRequestBody + 1]),
        };
        request.Headers.ExpectContinue = true;
        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("HTTP content length exceeded 10485760 bytes.", await response.Content.ReadAsStringAsync());
    }

    private static async Task AssertInternalServerErrorAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("""{"message":"Internal Server Error"}""", await response.Content.ReadAsStringAsync());
    }
}
