using System.Text.Json.Nodes;
using Serverless.Local.Gateway;

namespace Serverless.Local.Tests.Gateway;

/// <summary>JWT authorizer: the iss claim, and aud (or client_id when there is no aud).</summary>
public sealed class JwtAuthorizerIssuerAudienceTests : JwtAuthorizerTestBase
{
    [Fact]
    public async Task Accepts_id_token_on_route_without_scopes()
    {
        var result = await Authorize("Bearer " + issuer.Mint(IdToken()));

        var allowed = Assert.IsType<AuthorizerResult.Allowed>(result);
        Assert.Null(allowed.Scopes);
        Assert.Equal(ClientId, allowed.Claims["aud"]);
    }

    [Fact]
    public async Task Accepts_aud_given_as_a_list_containing_a_configured_audience()
    {
        var claims = IdToken();
        claims["aud"] = new JsonArray("someone-else", ClientId);

        var result = await Authorize("Bearer " + issuer.Mint(claims));

        var allowed = Assert.IsType<AuthorizerResult.Allowed>(result);
        Assert.Equal($"[someone-else {ClientId}]", allowed.Claims["aud"]);
    }

    [Fact]
    public async Task Refuses_a_wrong_issuer()
    {
        var claims = AccessToken();
        claims["iss"] = Issuer + "/";

        AssertUnauthorized(await Authorize(issuer.Mint(claims)), "the token does not have a valid issuer");
    }

    [Fact]
    public async Task Refuses_a_missing_issuer()
    {
        var claims = AccessToken();
        claims.Remove("iss");

        AssertUnauthorized(await Authorize(issuer.Mint(claims)), "the token does not have a valid issuer");
    }

    [Fact]
    public async Task Refuses_a_wrong_client_id_with_the_documented_audience_challenge()
    {
        var claims = AccessToken();
        claims["client_id"] = "another-app-client";

        var denied = Assert.IsType<AuthorizerResult.Denied>(await Authorize("Bearer " + issuer.Mint(claims)));

        Assert.Equal(401, denied.StatusCode);
        Assert.Equal("{\"message\":\"Unauthorized\"}", denied.Body);
        Assert.Equal("Bearer scope=\"\" error=\"invalid_token\" error_description=\"the token does not have a valid audience\"",
            denied.WwwAuthenticate);
    }

    [Fact]
    public async Task Refuses_a_wrong_aud()
    {
        var claims = IdToken();
        claims["aud"] = "another-app-client";

        AssertUnauthorized(await Authorize(issuer.Mint(claims)), "the token does not have a valid audience");
    }

    [Fact]
    public async Task Evaluates_aud_and_not_client_id_when_both_are_present()
    {
        var claims = AccessToken();
        claims["aud"] = "https://api.example.com";

        AssertUnauthorized(await Authorize(issuer.Mint(claims)), "the token does not have a valid audience");
    }

    [Fact]
    public async Task Refuses_a_token_with_neither_aud_nor_client_id()
    {
        var claims = AccessToken();
        claims.Remove("client_id");

        AssertUnauthorized(await Authorize(issuer.Mint(claims)), "the token does not have a valid audience");
    }

    [Fact]
    public async Task Checks_the_issuer_before_the_audience_and_the_audience_before_expiry()
    {
        var claims = AccessToken();
        claims["iss"] = "https://evil.example.com";
        claims["client_id"] = "wrong";
        claims["exp"] = Now - 100;
        AssertUnauthorized(await Authorize(issuer.Mint(claims)), "the token does not have a valid issuer");

        claims["iss"] = Issuer;
        AssertUnauthorized(await Authorize(issuer.Mint(claims)), "the token does not have a valid audience");
    }
}
