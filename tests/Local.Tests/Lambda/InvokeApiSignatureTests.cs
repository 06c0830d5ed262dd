using System.Net;
using System.Text;
using Amazon.Runtime;
using Serverless.Kernel.Aws;

namespace Serverless.Local.Tests.Lambda;

/// <summary>
/// The local Invoke API answers only what is signed with the local credentials, and nothing from a web page: the
/// cross-site <c>text/plain</c> POST a page can send without a preflight, with forged authorizer claims, runs nothing.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class InvokeApiSignatureTests : IAsyncLifetime
{
    /// <summary>Appends every event it gets to $PACKAGE_DIR/events, one line each, and answers it.</summary>
    private const string Recorder = """
        while true; do
          curl -s -D headers -o event "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next"
          id=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' headers | cut -d' ' -f2 | tr -d '\r')
          { cat event; echo; } >> "$PACKAGE_DIR/events"
          curl -s -X POST --data-binary @event "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$id/response"
        done
        """;

    /// <summary>An API Gateway event whose authorizer claims name a user the page wants to read.</summary>
    private const string ForgedEvent = """
        {"version":"2.0","routeKey":"GET /me","rawPath":"/me","requestContext":{"http":{"method":"GET","path":"/me"},
         "authorizer":{"jwt":{"claims":{"sub":"victim"},"scopes":null}}}}
        """;

    private ShellFunctions functions = null!;
    private readonly HttpClient http = new();

    public async Task InitializeAsync()
    {
        functions = await ShellFunctions.StartAsync();
        functions.Register("target", Recorder);
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await functions.DisposeAsync();
    }

    private string Url => $"{functions.Service.Endpoint}/2015-03-31/functions/target/invocations";

    [Fact]
    public async Task A_cross_site_text_plain_post_with_forged_claims_is_refused_and_runs_nothing()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post,
            Url) { Content = new StringContent(ForgedEvent, Encoding.UTF8, "text/plain") };
        request.Headers.Add("Origin", "https://evil.example");

        using var answer = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
        Assert.Equal("AccessDeniedException", answer.Headers.GetValues("x-amzn-ErrorType").Single());
        Assert.False(answer.Headers.Contains("Access-Control-Allow-Origin"));
        await AssertOnlyTheSignedInvocationRanAsync();
    }

    [Fact]
    public async Task A_signed_request_from_a_web_page_is_refused_too()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Url) { Content = new StringContent(ForgedEvent) };
        request.Headers.Add("Origin", "https://evil.example");

        using var answer = await http.SendAsync(await request.SignedAsync("lambda"));

        Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
        await AssertOnlyTheSignedInvocationRanAsync();
    }

    [Fact]
    public async Task An_unsigned_request_is_refused_as_Lambda_refuses_it()
    {
        using var answer = await http.PostAsync(Url, new StringContent(ForgedEvent));

        Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
        Assert.Equal("MissingAuthenticationTokenException", answer.Headers.GetValues("x-amzn-ErrorType").Single());
        await AssertOnlyTheSignedInvocationRanAsync();
    }

    [Theory]
    [InlineData("local", "not-the-secret", "InvalidSignatureException")]
    [InlineData("AKIAOTHER", "local", "UnrecognizedClientException")]
    public async Task A_request_signed_with_other_credentials_is_refused(string accessKey, string secretKey, string errorType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Url) { Content = new StringContent(ForgedEvent) };
        await SigV4.SignAsync(request, new ImmutableCredentials(accessKey, secretKey, null), "us-east-1", "lambda",
            DateTimeOffset.UtcNow, CancellationToken.None);

        using var answer = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
        Assert.Equal(errorType, answer.Headers.GetValues("x-amzn-ErrorType").Single());
        await AssertOnlyTheSignedInvocationRanAsync();
    }

    [Fact]
    public async Task A_signed_request_whose_body_was_changed_is_refused()
    {
        using var request = await new HttpRequestMessage(HttpMethod.Post,
            Url) { Content = new StringContent("{\"n\":1}") }.SignedAsync("lambda");
        request.Content = new StringContent("{\"n\":2}"); // same length and headers, another body

        using var answer = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
        Assert.Equal("InvalidSignatureException", answer.Headers.GetValues("x-amzn-ErrorType").Single());
        await AssertOnlyTheSignedInvocationRanAsync();
    }

    [Fact]
    public async Task The_Runtime_API_refuses_a_web_page()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post,
            $"{functions.Service.Endpoint}/instances/any/2018-06-01/runtime/invocation/any/response") { Content = new StringContent("{}") };
        request.Headers.Add("Origin", "https://evil.example");

        using var answer = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
    }

    /// <summary>A signed invocation runs, and is the only one the function ever saw.</summary>
    private async Task AssertOnlyTheSignedInvocationRanAsync()
    {
        using var signed = await functions.InvokeAsync("target", """{"signed":true}""");
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        var events = await File.ReadAllLinesAsync(Path.Combine(functions.PackageDirectory("target"), "events"));
        Assert.Equal(["""{"signed":true}"""], events);
    }
}
