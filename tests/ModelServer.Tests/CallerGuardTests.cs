using System.Net;
using System.Text;
using Amazon.Runtime;
using Microsoft.AspNetCore.Builder;
using Serverless.Kernel.Aws;

namespace Serverless.ModelServer.Tests;

/// <summary>
/// The model server as the local cloud starts it, with credentials: InvokeEndpoint needs SigV4 with them (403 as
/// SageMaker Runtime answers), and no route answers a web page.
/// </summary>
public sealed class CallerGuardTests : IAsyncLifetime
{
    private const string AccessKey = "local";
    private const string SecretKey = "local";

    private WebApplication app = null!;
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        app = ModelServerApp.Create(
        [
            "--urls=http://127.0.0.1:0",
            $"--ModelServer:LexiconPath={await TestLexicon.PathAsync()}",
            "--ModelServer:Endpoints=sentiment",
            $"--ModelServer:AccessKey={AccessKey}",
            $"--ModelServer:SecretKey={SecretKey}",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await app.StartAsync();
        client = new HttpClient();
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private HttpRequestMessage Invoke() => new(HttpMethod.Post, $"{ModelServerApp.Addresses(app).Single()}/endpoints/sentiment/invocations")
    {
        Content = new StringContent("""{"inputs":["great"]}""", Encoding.UTF8, "application/json"),
    };

    private static async Task<HttpRequestMessage> SignedAsync(HttpRequestMessage request, string accessKey = AccessKey,
        string secretKey = SecretKey)
    {
        await SigV4.SignAsync(request, new ImmutableCredentials(accessKey, secretKey, null), "us-east-1",
            SageMakerRuntimeClient.SigningName,
            DateTimeOffset.UtcNow, CancellationToken.None);
        return request;
    }

    [Fact]
    public async Task A_signed_invocation_is_scored()
    {
        using var answer = await client.SendAsync(await SignedAsync(Invoke()));

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains("POSITIVE", await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_unsigned_invocation_is_refused()
    {
        using var answer = await client.SendAsync(Invoke());

        Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
        Assert.Equal("MissingAuthenticationTokenException", ModelServerFixture.Header(answer, "x-amzn-ErrorType"));
    }

    [Theory]
    [InlineData("local", "wrong", "InvalidSignatureException")]
    [InlineData("AKIAOTHER", "local", "UnrecognizedClientException")]
    public async Task An_invocation_signed_with_other_credentials_is_refused(string accessKey, string secretKey, string errorType)
    {
        using var answer = await client.SendAsync(await SignedAsync(Invoke(), accessKey, secretKey));

        Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
        Assert.Equal(errorType, ModelServerFixture.Header(answer, "x-amzn-ErrorType"));
    }

    [Theory]
    [InlineData("/endpoints/sentiment/invocations")]
    [InlineData("/_faults")]
    public async Task A_web_page_is_refused_on_every_route(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ModelServerApp.Addresses(app).Single() + path)
        {
            Content = new StringContent("""{"fault":"throttle","count":-1}""", Encoding.UTF8, "text/plain"),
        };
        request.Headers.Add("Origin", "https://evil.example");

        using var answer = await client.SendAsync(await SignedAsync(request));

        Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
        Assert.Equal("AccessDeniedException", ModelServerFixture.Header(answer, "x-amzn-ErrorType"));
    }
}
