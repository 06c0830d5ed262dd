using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;

namespace Serverless.ModelServer.Tests;

/// <summary>The real app, in-process, on 127.0.0.1 with a free port; one per test class that uses it.</summary>
public sealed class ModelServerFixture : IAsyncLifetime
{
    public const string Endpoint = "sentiment-local";
    public const string AccountId = "123456789012";
    public const string Region = "eu-west-1";

    private WebApplication? app;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var lexicon = await TestLexicon.PathAsync();
        app = ModelServerApp.Create(
        [
            "--urls=http://127.0.0.1:0",
            $"--ModelServer:LexiconPath={lexicon}",
            $"--ModelServer:Endpoints={Endpoint},other-endpoint",
            $"--ModelServer:AccountId={AccountId}",
            $"--ModelServer:Region={Region}",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await app.StartAsync();
        Client = new HttpClient { BaseAddress = new Uri(ModelServerApp.Addresses(app).Single()) };
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>POST /endpoints/{endpoint}/invocations with a JSON body.</summary>
    public Task<HttpResponseMessage> InvokeAsync(string body, string endpoint = Endpoint, string contentType =
        "application/json", string? accept = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/endpoints/{endpoint}/invocations")
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)),
        };
        if (contentType.Length > 0)
        {
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }
        return Client.SendAsync(request);
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
}
