using System.Text.Json.Nodes;
using Serverless.Local.Gateway;

namespace Serverless.Local.Tests.Gateway;

/// <summary>JWT authorizer: fetching, caching and refreshing the issuer's key set.</summary>
public sealed class JwtAuthorizerKeySetTests : JwtAuthorizerTestBase
{
    [Fact]
    public async Task Refuses_an_unknown_kid_after_fetching_the_key_set_once_more()
    {
        var (authorizer, keys) = Create();
        var token = issuer.Mint(AccessToken(), header: new JsonObject { ["alg"] = "RS256", ["kid"] = "no-such-key" });

        // Prime the cache with a good request first.
        Assert.IsType<AuthorizerResult.Allowed>(await authorizer.AuthorizeAsync(issuer.Mint(AccessToken()), NoScopes, default));
        Assert.Equal(1, keys.FetchCount);

        AssertUnauthorized(await authorizer.AuthorizeAsync("Bearer " + token, NoScopes, default),
            "the token's key ID does not match any key of the issuer");
        Assert.Equal(2, keys.FetchCount);
    }

    [Fact]
    public async Task Picks_up_a_rotated_key_by_refetching_on_an_unknown_kid()
    {
        using var next = new TestIssuer(kid: "rotated-key");
        var published = issuer.Jwks();
        var (authorizer, keys) = Create(() => published);

        Assert.IsType<AuthorizerResult.Allowed>(await authorizer.AuthorizeAsync(issuer.Mint(AccessToken()), NoScopes, default));
        published = TestIssuer.Combine(issuer, next);

        var result = await authorizer.AuthorizeAsync(next.Mint(AccessToken()), NoScopes, default);

        Assert.IsType<AuthorizerResult.Allowed>(result);
        Assert.Equal(2, keys.FetchCount);
    }

    [Fact]
    public async Task Caches_the_key_set_for_two_hours()
    {
        var (authorizer, keys) = Create();
        var claims = AccessToken();
        claims["exp"] = Now + 10 * 3600;

        for (var i = 0; i < 3; i++)
        {
            Assert.IsType<AuthorizerResult.Allowed>(await authorizer.AuthorizeAsync(issuer.Mint(claims), NoScopes, default));
        }

        Assert.Equal(1, keys.FetchCount);

        time.Advance(TimeSpan.FromHours(2) - TimeSpan.FromSeconds(1));
        await authorizer.AuthorizeAsync(issuer.Mint(claims), NoScopes, default);
        Assert.Equal(1, keys.FetchCount);

        time.Advance(TimeSpan.FromSeconds(1));
        await authorizer.AuthorizeAsync(issuer.Mint(claims), NoScopes, default);
        Assert.Equal(2, keys.FetchCount);
    }

    [Fact]
    public async Task Checks_a_token_it_accepted_again_against_a_key_replaced_under_the_same_kid()
    {
        using var impostor = new TestIssuer(kid: issuer.Kid);
        var published = issuer.Jwks();
        var (authorizer, keys) = Create(() => published);
        var claims = AccessToken();
        claims["exp"] = Now + 10 * 3600;
        var token = issuer.Mint(claims);
        Assert.IsType<AuthorizerResult.Allowed>(await authorizer.AuthorizeAsync(token, NoScopes, default));
        Assert.IsType<AuthorizerResult.Allowed>(await authorizer.AuthorizeAsync(token, NoScopes, default));

        // The issuer now publishes other key material under the kid the token names; the cached set expires.
        published = impostor.Jwks();
        time.Advance(JwksCache.DefaultLifetime);

        AssertUnauthorized(await authorizer.AuthorizeAsync(token, NoScopes, default), "the token's signature is invalid");
        Assert.Equal(2, keys.FetchCount);
        Assert.IsType<AuthorizerResult.Allowed>(await authorizer.AuthorizeAsync(impostor.Mint(claims), NoScopes, default));
    }

    [Fact]
    public async Task Refuses_a_refused_token_every_time_it_comes_back()
    {
        var (authorizer, _) = Create();
        var parts = issuer.Mint(AccessToken()).Split('.');
        var forged = $"{parts[0]}.{TestIssuer.Segment(IdToken())}.{parts[2]}";

        for (var i = 0; i < 2; i++)
        {
            AssertUnauthorized(await authorizer.AuthorizeAsync(forged, NoScopes, default), "the token's signature is invalid");
        }
    }

    [Fact]
    public async Task Refuses_when_the_key_set_cannot_be_fetched()
    {
        var keys = new JwksCache(_ => throw new HttpRequestException("connection refused"), time);
        var authorizer = new JwtAuthorizer(Issuer, [ClientId], keys, time);

        var result = await authorizer.AuthorizeAsync(issuer.Mint(AccessToken()), NoScopes, default);

        AssertUnauthorized(result, "the issuer's signing keys could not be retrieved");
        Assert.Contains("connection refused", ((AuthorizerResult.Denied)result).Reason);
    }

    [Fact]
    public void Skips_keys_that_cannot_verify_rs_signatures()
    {
        var set = JsonWebKeySet.Parse("""
            {"keys":[
              {"kty":"EC","kid":"ec","crv":"P-256","x":"AA","y":"AA"},
              {"kty":"RSA","kid":"enc","use":"enc","n":"AQAB","e":"AQAB"},
              {"kty":"RSA","use":"sig","n":"AQAB","e":"AQAB"},
              {"kty":"RSA","kid":"good","use":"sig","alg":"RS256","n":"AQAB","e":"AQAB"}
            ]}
            """);

        Assert.Equal(["good"], set.KeyIds);
    }

    [Fact]
    public async Task Fetches_the_key_set_from_the_issuers_well_known_jwks_by_default()
    {
        using var server = new JwksServer(issuer.Jwks());
        var localIssuer = server.BaseUri + "eu-west-1_TestPool";
        using var http = new HttpClient();
        var authorizer = new JwtAuthorizer(localIssuer, [ClientId], http, time);
        var claims = AccessToken();
        claims["iss"] = localIssuer;

        var result = await authorizer.AuthorizeAsync("Bearer " + issuer.Mint(claims), NoScopes, CancellationToken.None);

        Assert.IsType<AuthorizerResult.Allowed>(result);
        Assert.Equal(["/eu-west-1_TestPool/.well-known/jwks.json"], server.Paths);
    }

    [Fact]
    public async Task Fetches_the_key_set_from_an_overridden_uri()
    {
        using var server = new JwksServer(issuer.Jwks());
        using var http = new HttpClient();
        var authorizer = new JwtAuthorizer(Issuer, [ClientId], http, time, new Uri(server.BaseUri + "keys"));

        var result = await authorizer.AuthorizeAsync(issuer.Mint(AccessToken()), NoScopes, CancellationToken.None);

        Assert.IsType<AuthorizerResult.Allowed>(result);
        Assert.Equal(["/keys"], server.Paths);
    }

    [Fact]
    public void Default_jwks_uri_is_cognitos_layout()
    {
        Assert.Equal(
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool/.well-known/jwks.json",
            JwtAuthorizer.DefaultJwksUri(Issuer).ToString());
    }
}
