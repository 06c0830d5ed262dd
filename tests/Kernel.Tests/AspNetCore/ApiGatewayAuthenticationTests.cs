using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Kernel.AspNetCore;

namespace Serverless.Kernel.Tests.AspNetCore;

/// <summary>The ApiGateway scheme, set up the way the functions' service defaults set it up.</summary>
public class ApiGatewayAuthenticationTests
{
    private static Task<LambdaApi> StartAsync() => LambdaApi.StartAsync(
        app =>
        {
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapGet("/me", (ClaimsPrincipal user) => Results.Text(user.FindFirstValue("sub"))).RequireAuthorization();
            app.MapGet("/admin", () => Results.Text("ok")).RequireAuthorization(policy => policy.RequireRole("admin"));
            app.MapGet("/owners", () => Results.Text("ok")).RequireAuthorization(policy => policy.RequireRole("owner"));
        },
        builder =>
        {
            builder.Services.AddProblemDetails();
            builder.Services.AddAuthentication(ApiGatewayAuthenticationHandler.SchemeName)
                .AddScheme<AuthenticationSchemeOptions, ApiGatewayAuthenticationHandler>(ApiGatewayAuthenticationHandler.SchemeName, null);
            builder.Services.AddAuthorization();
        });

    private static JsonObject SignedIn(string rawPath)
    {
        var @event = ApiEvent.SignedInFormPost();
        @event["rawPath"] = "/prod" + rawPath;
        @event["requestContext"]!["http"]!["method"] = "GET";
        @event["requestContext"]!["http"]!["path"] = "/prod" + rawPath;
        @event.Remove("body");
        @event["isBase64Encoded"] = false;
        return @event;
    }

    private static JsonObject Problem(JsonObject response) => JsonNode.Parse((string)response["body"]!)!.AsObject();

    [Fact]
    public async Task A_signed_in_user_passes()
    {
        await using var api = await StartAsync();

        var response = await api.InvokeAsync(SignedIn("/me"));

        Assert.Equal(200, (int)response["statusCode"]!);
        Assert.Equal("7d8ca528-4931-4254-9273-ea5ee853f271", (string?)response["body"]);
    }

    [Fact]
    public async Task Without_claims_a_protected_route_answers_401_problem_details()
    {
        await using var api = await StartAsync();

        var response = await api.InvokeAsync(ApiEvent.Public("GET", "/me"));

        Assert.Equal(401, (int)response["statusCode"]!);
        Assert.Equal("application/problem+json", (string?)response["headers"]!["Content-Type"]);
        Assert.False((bool)response["isBase64Encoded"]!);
        Assert.Equal(401, (int)Problem(response)["status"]!);
        Assert.Contains("Bearer", (string?)Problem(response)["detail"]);
    }

    [Fact]
    public async Task A_browser_that_does_not_accept_json_still_gets_401()
    {
        await using var api = await StartAsync();

        var response = await api.InvokeAsync(ApiEvent.Public("GET", "/me").WithHeader("accept", "text/html"));

        Assert.Equal(401, (int)response["statusCode"]!);
    }

    [Fact]
    public async Task Groups_are_roles()
    {
        await using var api = await StartAsync();

        var admin = await api.InvokeAsync(SignedIn("/admin"));
        var owners = await api.InvokeAsync(SignedIn("/owners"));

        Assert.Equal(200, (int)admin["statusCode"]!);
        Assert.Equal(403, (int)owners["statusCode"]!);
        Assert.Equal("application/problem+json", (string?)owners["headers"]!["Content-Type"]);
        Assert.Equal(403, (int)Problem(owners)["status"]!);
    }
}
