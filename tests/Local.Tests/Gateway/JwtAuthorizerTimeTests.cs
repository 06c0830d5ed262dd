using Serverless.Local.Gateway;

namespace Serverless.Local.Tests.Gateway;

/// <summary>JWT authorizer: exp, nbf and iat against the clock, with no clock skew.</summary>
public sealed class JwtAuthorizerTimeTests : JwtAuthorizerTestBase
{
    [Fact]
    public async Task Refuses_an_expired_token_with_no_clock_skew()
    {
        var claims = AccessToken();
        claims["exp"] = Now - 1;

        AssertUnauthorized(await Authorize(issuer.Mint(claims)), "the token has expired");
    }

    [Fact]
    public async Task Refuses_a_token_at_the_second_it_expires_and_accepts_it_just_before()
    {
        var claims = AccessToken();
        claims["exp"] = Now;
        var token = issuer.Mint(claims);
        var (authorizer, _) = Create();

        AssertUnauthorized(await authorizer.AuthorizeAsync(token, NoScopes, default), "the token has expired");

        time.Set(DateTimeOffset.FromUnixTimeMilliseconds(Now * 1000 - 1));
        Assert.IsType<AuthorizerResult.Allowed>(await authorizer.AuthorizeAsync(token, NoScopes, default));
    }

    [Fact]
    public async Task Expires_a_once_valid_token_when_time_passes()
    {
        var (authorizer, _) = Create();
        var token = issuer.Mint(AccessToken());

        Assert.IsType<AuthorizerResult.Allowed>(await authorizer.AuthorizeAsync(token, NoScopes, default));

        time.Set(DateTimeOffset.FromUnixTimeSeconds(1715680600));
        AssertUnauthorized(await authorizer.AuthorizeAsync(token, NoScopes, default), "the token has expired");
    }

    [Fact]
    public async Task Refuses_a_token_without_exp()
    {
        var claims = AccessToken();
        claims.Remove("exp");

        AssertUnauthorized(await Authorize(issuer.Mint(claims)), "the token does not have an expiry");
    }

    [Fact]
    public async Task Refuses_a_non_numeric_exp()
    {
        var claims = AccessToken();
        claims["exp"] = "1715680600";

        AssertUnauthorized(await Authorize(issuer.Mint(claims)), "the token has an invalid time claim");
    }

    [Fact]
    public async Task Refuses_a_token_not_valid_yet()
    {
        var claims = AccessToken();
        claims["nbf"] = Now + 1;

        AssertUnauthorized(await Authorize(issuer.Mint(claims)), "the token is not valid yet");
    }

    [Fact]
    public async Task Accepts_nbf_equal_to_now()
    {
        var claims = AccessToken();
        claims["nbf"] = Now;

        Assert.IsType<AuthorizerResult.Allowed>(await Authorize(issuer.Mint(claims)));
    }

    [Fact]
    public async Task Refuses_a_token_issued_in_the_future()
    {
        var claims = AccessToken();
        claims["iat"] = Now + 30;

        AssertUnauthorized(await Authorize(issuer.Mint(claims)), "the token was issued in the future");
    }
}
