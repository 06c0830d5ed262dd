using System.Text.Json.Nodes;
using Serverless.Local.Gateway;

namespace Serverless.Local.Tests.Gateway;

/// <summary>JWT authorizer: how the claims of an accepted token are rendered for the integration.</summary>
public sealed class JwtAuthorizerClaimsTests : JwtAuthorizerTestBase
{
    [Fact]
    public async Task Renders_every_claim_as_a_string()
    {
        var claims = IdToken();
        claims["custom:tier"] = 3;
        claims["custom:ratio"] = 0.25;
        claims["custom:off"] = false;
        claims["custom:none"] = null;
        claims["custom:empty"] = new JsonArray();
        claims["custom:mixed"] = new JsonArray("a", 1, true);
        claims["custom:obj"] = new JsonObject { ["k"] = "v", ["n"] = 1 };

        var result = await Authorize("Bearer " + issuer.Mint(claims));

        var rendered = Assert.IsType<AuthorizerResult.Allowed>(result).Claims;
        Assert.Equal("[admin editor]", rendered["cognito:groups"]);
        Assert.Equal("1715680600", rendered["exp"]);
        Assert.Equal((Now - 600).ToString(), rendered["iat"]);
        Assert.Equal("true", rendered["email_verified"]);
        Assert.Equal("false", rendered["custom:off"]);
        Assert.Equal("3", rendered["custom:tier"]);
        Assert.Equal("0.25", rendered["custom:ratio"]);
        Assert.Equal("[]", rendered["custom:empty"]);
        Assert.Equal("[a 1 true]", rendered["custom:mixed"]);
        Assert.Equal("{\"k\":\"v\",\"n\":1}", rendered["custom:obj"]);
        Assert.Equal("alice@example.com", rendered["email"]);
        Assert.False(rendered.ContainsKey("custom:none"));
        Assert.Equal(claims.Count - 1, rendered.Count);
    }
}
