using Serverless.Local.Gateway;

namespace Serverless.Local.Tests.Gateway;

/// <summary>JWT authorizer: reading the token from the Authorization header, with or without a Bearer prefix, and decoding it.</summary>
public sealed class JwtAuthorizerTokenFormatTests : JwtAuthorizerTestBase
{
    [Fact]
    public async Task Accepts_token_without_bearer_prefix()
    {
        var result = await Authorize(issuer.Mint(AccessToken()));

        Assert.IsType<AuthorizerResult.Allowed>(result);
    }

    [Fact]
    public async Task Accepts_lowercase_bearer_prefix()
    {
        var result = await Authorize("bearer " + issuer.Mint(AccessToken()));

        Assert.IsType<AuthorizerResult.Allowed>(result);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    public async Task Refuses_a_request_without_a_token(string? header)
    {
        var result = await Authorize(header);

        var denied = Assert.IsType<AuthorizerResult.Denied>(result);
        Assert.Equal(401, denied.StatusCode);
        Assert.Equal("{\"message\":\"Unauthorized\"}", denied.Body);
        Assert.Equal("Bearer scope=\"\"", denied.WwwAuthenticate);
    }

    [Theory]
    [InlineData("Bearer not-a-jwt")]
    [InlineData("Bearer a.b")]
    [InlineData("Bearer a.b.c.d")]
    [InlineData("Bearer !!!.???.***")]
    [InlineData("Bearer e30")] // "{}" alone
    [InlineData("Bearer WzFd.e30.")] // header is an array
    [InlineData("Bearer e30.bm90IGpzb24.")] // payload is not JSON
    [InlineData("Basic dXNlcjpwYXNz")]
    public async Task Refuses_a_malformed_token(string header)
    {
        AssertUnauthorized(await Authorize(header), "the token is malformed");
    }
}
