using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Serverless.Local.Gateway;

namespace Serverless.Local.Tests.Gateway;

/// <summary>JWT authorizer: the signing algorithm, the key ID and the RSA signature.</summary>
public sealed class JwtAuthorizerSignatureTests : JwtAuthorizerTestBase
{
    [Theory]
    [InlineData("RS384")]
    [InlineData("RS512")]
    public async Task Accepts_the_other_rsa_algorithms(string alg)
    {
        using var other = new TestIssuer(kid: "other-key", jwkAlg: null);
        var keys = new JwksCache(_ => Task.FromResult(other.Jwks()), time);
        var authorizer = new JwtAuthorizer(Issuer, [ClientId], keys, time);

        var result = await authorizer.AuthorizeAsync("Bearer " + other.Mint(AccessToken(), alg), NoScopes, CancellationToken.None);

        Assert.IsType<AuthorizerResult.Allowed>(result);
    }

    [Fact]
    public async Task Refuses_alg_none()
    {
        var header = TestIssuer.Segment(new JsonObject { ["alg"] = "none", ["kid"] = issuer.Kid, ["typ"] = "JWT" });
        var token = header + "." + TestIssuer.Segment(AccessToken()) + ".";

        AssertUnauthorized(await Authorize("Bearer " + token), "the token's signing algorithm is not supported");
    }

    [Fact]
    public async Task Refuses_hs256_signed_with_the_public_key_as_secret()
    {
        var header = TestIssuer.Segment(new JsonObject { ["alg"] = "HS256", ["kid"] = issuer.Kid, ["typ"] = "JWT" });
        var input = header + "." + TestIssuer.Segment(AccessToken());
        var secret = Encoding.UTF8.GetBytes(issuer.Jwks());
        var signature = Base64Url.EncodeToString(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(input)));

        AssertUnauthorized(await Authorize("Bearer " + input + "." + signature), "the token's signing algorithm is not supported");
    }

    [Fact]
    public async Task Refuses_a_tampered_payload()
    {
        var parts = issuer.Mint(AccessToken()).Split('.');
        var forged = AccessToken();
        forged["cognito:groups"] = new JsonArray("root");
        var token = parts[0] + "." + TestIssuer.Segment(forged) + "." + parts[2];

        AssertUnauthorized(await Authorize("Bearer " + token), "the token's signature is invalid");
    }

    [Fact]
    public async Task Refuses_a_token_signed_by_another_key_under_the_same_kid()
    {
        using var impostor = new TestIssuer(kid: issuer.Kid);

        AssertUnauthorized(await Authorize("Bearer " + impostor.Mint(AccessToken())), "the token's signature is invalid");
    }

    [Fact]
    public async Task Refuses_a_token_whose_alg_differs_from_the_keys_alg()
    {
        // The JWKS entry says RS256; the token says RS512 and is signed accordingly.
        AssertUnauthorized(await Authorize("Bearer " + issuer.Mint(AccessToken(), "RS512")), "the token's signature is invalid");
    }

    [Fact]
    public async Task Refuses_a_token_without_kid()
    {
        var token = issuer.Mint(AccessToken(), header: new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT" });

        AssertUnauthorized(await Authorize("Bearer " + token), "the token's key ID does not match any key of the issuer");
    }
}
