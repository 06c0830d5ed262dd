using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Kernel.Tests.Logging;

namespace Serverless.Kernel.Tests.AspNetCore;

/// <summary>How the app's response becomes API Gateway's payload 2.0 response.</summary>
public class LambdaServerResponseTests
{
    private static async Task<JsonObject> GetAsync(Delegate endpoint)
    {
        await using var api = await LambdaApi.StartAsync(app => app.MapGet("/thing", endpoint));
        return await api.InvokeAsync(ApiEvent.Public("GET", "/thing"));
    }

    private static JsonObject Headers(JsonObject response) => response["headers"]!.AsObject();

    [Fact]
    public async Task Status_code_and_headers_are_passed_on()
    {
        var response = await GetAsync((HttpContext context) =>
        {
            context.Response.Headers["x-custom"] = "v";
            context.Response.Headers.Append("vary", "Accept");
            context.Response.Headers.Append("vary", "Origin");
            return Results.Created("/thing/1", null);
        });

        Assert.Equal(201, (int)response["statusCode"]!);
        Assert.Equal("v", (string?)Headers(response)["x-custom"]);
        Assert.Equal("/thing/1", (string?)Headers(response)["Location"]);
        Assert.Equal("Accept,Origin", (string?)Headers(response)["vary"]);
        Assert.Null(response["body"]);
        Assert.False((bool)response["isBase64Encoded"]!);
    }

    [Fact]
    public async Task Set_cookie_headers_become_the_cookies_array()
    {
        var response = await GetAsync((HttpContext context) =>
        {
            context.Response.Cookies.Append("session", "abc123", new CookieOptions { HttpOnly = true, Secure = true });
            context.Response.Cookies.Append("theme", "dark");
            return Results.NoContent();
        });

        Assert.Equal(["session=abc123; path=/; secure; httponly", "theme=dark; path=/"],
            response["cookies"]!.AsArray().Select(cookie => (string)cookie!));
        Assert.DoesNotContain(Headers(response), header => header.Key.Equals("Set-Cookie", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Without_cookies_there_is_no_cookies_array()
    {
        var response = await GetAsync(() => Results.NoContent());

        Assert.Equal(204, (int)response["statusCode"]!);
        Assert.False(response.ContainsKey("cookies"));
    }

    [Fact]
    public async Task A_json_body_goes_as_text()
    {
        var response = await GetAsync(() => Results.Json(new { name = "Jane", city = "München" }));

        Assert.Equal(200, (int)response["statusCode"]!);
        Assert.Equal("application/json; charset=utf-8", (string?)Headers(response)["Content-Type"]);
        Assert.Equal("""{"name":"Jane","city":"München"}""", (string?)response["body"]);
        Assert.False((bool)response["isBase64Encoded"]!);
    }

    [Fact]
    public async Task A_binary_body_goes_base64()
    {
        var response = await GetAsync(() => Results.Bytes(new byte[] { 0x00, 0x01, 0x02, 0xff }, "application/octet-stream"));

        Assert.Equal("AAEC/w==", (string?)response["body"]);
        Assert.True((bool)response["isBase64Encoded"]!);
    }

    [Fact]
    public async Task A_compressed_json_body_goes_base64()
    {
        var response = await GetAsync(async (HttpContext context) =>
        {
            context.Response.ContentType = "application/json";
            context.Response.Headers.ContentEncoding = "gzip";
            await context.Response.Body.WriteAsync(new byte[] { 0x1f, 0x8b, 0x08 });
        });

        Assert.Equal("H4sI", (string?)response["body"]);
        Assert.True((bool)response["isBase64Encoded"]!);
    }

    [Fact]
    public async Task Bodies_written_through_the_pipe_writer_and_the_stream_both_arrive()
    {
        var response = await GetAsync(async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("one ");
            await context.Response.BodyWriter.WriteAsync("two "u8.ToArray());
            await context.Response.Body.WriteAsync("three"u8.ToArray());
        });

        Assert.Equal("one two three", (string?)response["body"]);
    }

    [Fact]
    public async Task OnStarting_callbacks_run_last_registered_first_and_may_set_headers()
    {
        var order = new List<string>();
        var response = await GetAsync((HttpContext context) =>
        {
            context.Response.OnStarting(() =>
            {
                order.Add("first");
                context.Response.Headers["x-first"] = context.Response.Headers["x-second"];
                return Task.CompletedTask;
            });
            context.Response.OnStarting(() =>
            {
                order.Add("second");
                context.Response.Headers["x-second"] = "set";
                return Task.CompletedTask;
            });
            return Results.Text("ok");
        });

        Assert.Equal(["second", "first"], order);
        Assert.Equal("set", (string?)Headers(response)["x-second"]);
        Assert.Equal("set", (string?)Headers(response)["x-first"]);
    }

    [Fact]
    public async Task OnCompleted_callbacks_run()
    {
        var completed = false;
        await GetAsync((HttpContext context) =>
        {
            context.Response.OnCompleted(() =>
            {
                completed = context.Response.StatusCode == 200;
                return Task.CompletedTask;
            });
            return Results.Text("ok");
        });

        Assert.True(completed);
    }

    private sealed class ScopedThing : IDisposable
    {
        public bool Disposed { get; private set; }
        public void Dispose() => Disposed = true;
    }

    [Fact]
    public async Task The_requests_services_are_disposed_even_when_an_OnStarting_callback_throws()
    {
        var thing = new ScopedThing();
        await using var api = await LambdaApi.StartAsync(
            app => app.MapGet("/thing", (HttpContext context, ScopedThing _) =>
            {
                context.Response.OnStarting(() => throw new InvalidOperationException("Too late."));
                return Results.Text("ok");
            }),
            builder => builder.Services.AddScoped(_ => thing));

        await Assert.ThrowsAsync<InvalidOperationException>(() => api.InvokeAsync(ApiEvent.Public("GET", "/thing")));

        Assert.True(thing.Disposed);
    }

    [Fact]
    public async Task An_unhandled_exception_is_a_bare_500_and_is_logged()
    {
        await using var api = await LambdaApi.StartAsync(app => app.MapGet("/thing", (HttpContext context) =>
        {
            context.Response.Headers["x-partial"] = "yes";
            context.Response.Cookies.Append("partial", "yes");
            throw new InvalidOperationException("The table is gone.");
        }));

        var response = await api.InvokeAsync(ApiEvent.Public("GET", "/thing"));

        Assert.Equal(500, (int)response["statusCode"]!);
        Assert.Null(response["body"]);
        Assert.False(Headers(response).ContainsKey("x-partial"));
        Assert.False(response.ContainsKey("cookies"));
        Assert.Contains(LogLines.Read(api.Logs), line =>
            line.String("level") == "ERROR" && line.String("errorMessage") == "The table is gone.");
    }
}
