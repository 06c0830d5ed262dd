using System.Net;
using System.Security.Claims;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Serverless.Kernel.AspNetCore;
using Serverless.TestUtilities;

namespace Serverless.Kernel.Tests.AspNetCore;

/// <summary>How an API Gateway HTTP API event becomes the app's <see cref="HttpRequest"/>.</summary>
public class LambdaServerRequestTests
{
    /// <summary>Runs <paramref name="event"/> through an app whose every route hands its HttpContext to <paramref name="see"/>.</summary>
    private static async Task<JsonObject> SeeAsync(JsonObject @event, Func<HttpContext, Task> see)
    {
        await using var api = await LambdaApi.StartAsync(app => app.Map("/{**path}", async (HttpContext context) =>
        {
            await see(context);
            return Results.NoContent();
        }));
        var response = await api.InvokeAsync(@event);
        Assert.Equal(204, (int)response["statusCode"]!);
        return response;
    }

    [Fact]
    public async Task A_named_stage_becomes_the_path_base()
    {
        string? method = null, pathBase = null, path = null, rawTarget = null;
        await SeeAsync(ApiEvent.Public("DELETE", "/prod/items/a b", stage: "prod"), context =>
        {
            (method, pathBase, path) = (context.Request.Method, context.Request.PathBase.Value, context.Request.Path.Value);
            rawTarget = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
            return Task.CompletedTask;
        });

        Assert.Equal("DELETE", method);
        Assert.Equal("/prod", pathBase);
        Assert.Equal("/items/a b", path);
        Assert.Equal("/prod/items/a%20b", rawTarget);
    }

    [Theory]
    [InlineData("/health", "$default", "", "/health")]
    [InlineData("/prod", "prod", "/prod", "/")]
    [InlineData("/production/items", "prod", "", "/production/items")]
    [InlineData("/items/prod/x", "prod", "", "/items/prod/x")]
    public async Task Only_a_leading_stage_segment_is_split_off(string rawPath, string stage, string pathBase, string path)
    {
        (string?, string?) seen = default;
        await SeeAsync(ApiEvent.Public("GET", rawPath, stage), context =>
        {
            seen = (context.Request.PathBase.Value, context.Request.Path.Value);
            return Task.CompletedTask;
        });

        Assert.Equal((pathBase, path), seen);
    }

    [Fact]
    public async Task Routes_match_without_the_stage_and_route_values_are_decoded()
    {
        await using var api = await LambdaApi.StartAsync(app => app.MapGet("/items/{name}", (string name) => Results.Text(name)));

        var response = await api.InvokeAsync(ApiEvent.Public("GET", "/prod/items/a b", stage: "prod"));

        Assert.Equal(200, (int)response["statusCode"]!);
        Assert.Equal("a b", (string?)response["body"]);
    }

    [Fact]
    public async Task The_query_comes_from_rawQueryString_with_repeated_keys()
    {
        IQueryCollection? query = null;
        string? queryString = null;
        await SeeAsync(ApiEvent.SignedInFormPost(), context =>
        {
            (query, queryString) = (context.Request.Query, context.Request.QueryString.Value);
            return Task.CompletedTask;
        });

        Assert.Equal("?a=1&a=2&q=caf%C3%A9", queryString);
        Assert.Equal(new string?[] { "1", "2" }, query!["a"].ToArray());
        Assert.Equal("café", query["q"].ToString());
    }

    [Fact]
    public async Task Cookies_become_the_cookie_header()
    {
        Dictionary<string, string>? cookies = null;
        string? header = null;
        await SeeAsync(ApiEvent.SignedInFormPost(), context =>
        {
            cookies = context.Request.Cookies.ToDictionary(c => c.Key, c => c.Value);
            header = context.Request.Headers.Cookie.ToString();
            return Task.CompletedTask;
        });

        Assert.Equal(new Dictionary<string, string> { ["session"] = "abc123", ["theme"] = "dark" }, cookies);
        Assert.Equal("session=abc123; theme=dark", header);
    }

    [Fact]
    public async Task Headers_are_passed_as_sent()
    {
        Dictionary<string, string>? headers = null;
        await SeeAsync(ApiEvent.SignedInFormPost().WithHeader("accept-language", "de-DE,de;q=0.9,en;q=0.8"), context =>
        {
            headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            return Task.CompletedTask;
        });

        Assert.Equal("r3pmxmplak.execute-api.us-east-2.amazonaws.com", headers!["Host"]);
        Assert.Equal("curl/8.5.0", headers["User-Agent"]);
        Assert.Equal("application/json", headers["Accept"]);
        Assert.Equal("de-DE,de;q=0.9,en;q=0.8", headers["Accept-Language"]);
        Assert.Equal("Root=1-6643355f-1b3b6b0c6e2a4a8f0d9c7e21", headers["X-Amzn-Trace-Id"]);
        Assert.StartsWith("Bearer eyJ", headers["Authorization"]);
    }

    [Fact]
    public async Task A_base64_form_body_is_decoded()
    {
        Dictionary<string, string>? form = null;
        long? length = null;
        await SeeAsync(ApiEvent.SignedInFormPost(), async context =>
        {
            length = context.Request.ContentLength;
            form = (await context.Request.ReadFormAsync()).ToDictionary(f => f.Key, f => f.Value.ToString());
        });

        Assert.Equal(new Dictionary<string, string> { ["name"] = "Jane Doe", ["city"] = "München" }, form);
        Assert.Equal(31, length);
    }

    [Fact]
    public async Task A_text_body_is_utf8_and_its_length_counts_bytes()
    {
        string? body = null;
        long? length = null;
        string? contentType = null;
        await SeeAsync(ApiEvent.Public("POST", "/notes").WithTextBody("application/json", """{"text":"héllo"}"""), async context =>
        {
            (length, contentType) = (context.Request.ContentLength, context.Request.ContentType);
            body = await new StreamReader(context.Request.Body, Encoding.UTF8).ReadToEndAsync();
        });

        Assert.Equal("""{"text":"héllo"}""", body);
        Assert.Equal(17, length);
        Assert.Equal("application/json", contentType);
    }

    [Fact]
    public async Task A_request_without_body_reads_empty()
    {
        string? body = null;
        await SeeAsync(ApiEvent.Public("GET", "/health"), async context =>
            body = await new StreamReader(context.Request.Body).ReadToEndAsync());

        Assert.Equal("", body);
    }

    public sealed record Note(string Text);

    [Fact]
    public async Task A_json_body_binds_to_a_minimal_api_parameter()
    {
        await using var api = await LambdaApi.StartAsync(app => app.MapPost("/notes", (Note note) => Results.Text(note.Text)));

        var response = await api.InvokeAsync(ApiEvent.Public("POST", "/notes").WithTextBody("application/json", """{"text":"héllo"}"""));

        Assert.Equal(200, (int)response["statusCode"]!);
        Assert.Equal("héllo", (string?)response["body"]);
    }

    [Fact]
    public async Task The_connection_and_identifier_come_from_the_request_context()
    {
        IPAddress? remote = null;
        string? traceIdentifier = null;
        string? scheme = null;
        await SeeAsync(ApiEvent.SignedInFormPost(), context =>
        {
            (remote, traceIdentifier, scheme) = (context.Connection.RemoteIpAddress, context.TraceIdentifier, context.Request.Scheme);
            return Task.CompletedTask;
        });

        Assert.Equal(IPAddress.Parse("203.0.113.7"), remote);
        Assert.Equal("XyGnwhe0vHcEJ8A=", traceIdentifier);
        Assert.Equal("https", scheme);
    }

    [Fact]
    public async Task RequestAborted_is_the_invocations_cancellation_token()
    {
        using var deadline = new CancellationTokenSource();
        CancellationToken aborted = default;
        await using var api = await LambdaApi.StartAsync(app => app.MapGet("/health", (HttpContext context) =>
        {
            aborted = context.RequestAborted;
            return Results.NoContent();
        }));

        await api.InvokeAsync(ApiEvent.Public("GET", "/health"), new TestLambdaContext { CancellationToken = deadline.Token });

        Assert.Equal(deadline.Token, aborted);
        Assert.False(aborted.IsCancellationRequested);
        deadline.Cancel();
        Assert.True(aborted.IsCancellationRequested);
    }

    [Fact]
    public async Task The_event_and_the_lambda_context_are_a_request_feature()
    {
        var lambdaContext = new TestLambdaContext();
        LambdaRequestFeature? feature = null;
        await using var api = await LambdaApi.StartAsync(app => app.MapGet("/health", (HttpContext context) =>
        {
            feature = context.Features.Get<LambdaRequestFeature>();
            return Results.NoContent();
        }));

        await api.InvokeAsync(ApiEvent.Public("GET", "/health"), lambdaContext);

        Assert.NotNull(feature);
        Assert.Same(lambdaContext.LambdaContext, feature.Context);
        Assert.Equal("XyGnxjF1vHcEJ9B=", feature.Request.RequestContext.RequestId);
    }

    [Fact]
    public async Task The_user_is_built_from_the_jwt_authorizers_claims()
    {
        ClaimsPrincipal? user = null;
        await SeeAsync(ApiEvent.SignedInFormPost(), context =>
        {
            user = context.User;
            return Task.CompletedTask;
        });

        Assert.NotNull(user?.Identity);
        Assert.True(user.Identity.IsAuthenticated);
        Assert.Equal("ApiGatewayJwt", user.Identity.AuthenticationType);
        Assert.Equal("7d8ca528-4931-4254-9273-ea5ee853f271", user.FindFirstValue("sub"));
        Assert.Equal("jane@example.com", user.FindFirstValue("email"));
        Assert.Equal(["admin", "editor"], user.FindAll("cognito:groups").Select(c => c.Value));
        Assert.True(user.IsInRole("admin"));
        Assert.True(user.IsInRole("editor"));
        Assert.False(user.IsInRole("[admin editor]"));
        Assert.False(user.IsInRole("viewer"));
    }

    [Fact]
    public async Task The_username_claim_is_the_name()
    {
        var @event = ApiEvent.SignedInFormPost();
        @event["requestContext"]!["authorizer"]!["jwt"]!["claims"] = new JsonObject
        {
            ["sub"] = "7d8ca528-4931-4254-9273-ea5ee853f271",
            ["username"] = "jane",
            ["cognito:groups"] = "[admin]",
            ["token_use"] = "access",
        };
        ClaimsPrincipal? user = null;
        await SeeAsync(@event, context =>
        {
            user = context.User;
            return Task.CompletedTask;
        });

        Assert.Equal("jane", user!.Identity!.Name);
        Assert.Equal(["admin"], user.FindAll("cognito:groups").Select(c => c.Value));
    }

    [Fact]
    public async Task Without_an_authorizer_the_user_is_anonymous()
    {
        ClaimsPrincipal? user = null;
        await SeeAsync(ApiEvent.Public("GET", "/health"), context =>
        {
            user = context.User;
            return Task.CompletedTask;
        });

        Assert.False(user!.Identity!.IsAuthenticated);
        Assert.Empty(user.Claims);
    }

    [Fact]
    public async Task An_event_that_is_not_json_is_an_error_for_the_loop_to_report()
    {
        await using var api = await LambdaApi.StartAsync(app => app.MapGet("/health", () => "ok"));

        await Assert.ThrowsAnyAsync<System.Text.Json.JsonException>(() => api.InvokeAsync("not json"u8.ToArray()));
        await Assert.ThrowsAnyAsync<System.Text.Json.JsonException>(() => api.InvokeAsync("null"u8.ToArray()));
    }
}
