using System.Text.Json.Nodes;
using Serverless.Local.Gateway;

namespace Serverless.Local.Tests.Gateway;

/// <summary>JWT authorizer: the route's authorization scopes against the token's scope or scp claim.</summary>
public sealed class JwtAuthorizerScopeTests : JwtAuthorizerTestBase
{
    [Fact]
    public async Task Accepts_access_token_with_bearer_prefix_on_scoped_route()
    {
        var result = await Authorize("Bearer " + issuer.Mint(AccessToken()), OrderScopes);

        var allowed = Assert.IsType<AuthorizerResult.Allowed>(result);
        Assert.Equal(["aws.cognito.signin.user.admin", "orders/read"], allowed.Scopes);
        Assert.Equal(ClientId, allowed.Claims["client_id"]);
        Assert.Equal("aws.cognito.signin.user.admin orders/read", allowed.Claims["scope"]);
        Assert.Equal("access", allowed.Claims["token_use"]);
    }

    [Fact]
    public async Task Scopes_are_null_when_the_route_declares_none_even_if_the_token_has_a_scope_claim()
    {
        var result = await Authorize("Bearer " + issuer.Mint(AccessToken()));

        var allowed = Assert.IsType<AuthorizerResult.Allowed>(result);
        Assert.Null(allowed.Scopes);
    }

    [Fact]
    public async Task Accepts_scp_claim_when_there_is_no_scope_claim()
    {
        var claims = AccessToken();
        claims.Remove("scope");
        claims["scp"] = new JsonArray("orders/write");

        var result = await Authorize("Bearer " + issuer.Mint(claims), OrderScopes);

        var allowed = Assert.IsType<AuthorizerResult.Allowed>(result);
        Assert.Equal(["orders/write"], allowed.Scopes);
    }

    [Fact]
    public async Task Names_the_route_scopes_in_a_401_challenge()
    {
        var claims = AccessToken();
        claims["exp"] = Now - 1;

        AssertUnauthorized(await Authorize(issuer.Mint(claims), OrderScopes), "the token has expired", "orders/read orders/write");
    }

    [Fact]
    public async Task Forbids_a_valid_token_without_any_of_the_route_scopes()
    {
        var claims = AccessToken();
        claims["scope"] = "aws.cognito.signin.user.admin orders/cancel";

        var denied = Assert.IsType<AuthorizerResult.Denied>(await Authorize("Bearer " + issuer.Mint(claims), OrderScopes));

        Assert.Equal(403, denied.StatusCode);
        Assert.Equal("{\"message\":\"Forbidden\"}", denied.Body);
        Assert.Equal(
            "Bearer scope=\"orders/read orders/write\" error=\"insufficient_scope\""
                + " error_description=\"the token does not have a valid scope\"",
            denied.WwwAuthenticate);
    }

    [Fact]
    public async Task Forbids_an_id_token_on_a_route_that_declares_scopes()
    {
        var denied = Assert.IsType<AuthorizerResult.Denied>(await Authorize("Bearer " + issuer.Mint(IdToken()), OrderScopes));

        Assert.Equal(403, denied.StatusCode);
        Assert.Equal("{\"message\":\"Forbidden\"}", denied.Body);
    }

    [Fact]
    public async Task Matches_scopes_exactly()
    {
        var claims = AccessToken();
        claims["scope"] = "orders/READ orders/read-all orders";

        var denied = Assert.IsType<AuthorizerResult.Denied>(await Authorize(issuer.Mint(claims), OrderScopes));

        Assert.Equal(403, denied.StatusCode);
    }

    [Fact]
    public async Task Refuses_an_invalid_token_with_401_even_on_a_scoped_route()
    {
        var claims = IdToken();
        claims["aud"] = "wrong";

        AssertUnauthorized(await Authorize(issuer.Mint(claims), OrderScopes), "the token does not have a valid audience",
            "orders/read orders/write");
    }
}
