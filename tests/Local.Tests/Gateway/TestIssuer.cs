using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Serverless.Local.Tests.Gateway;

/// <summary>An identity provider with one RSA key: publishes its JWKS and signs tokens.</summary>
internal sealed class TestIssuer(string kid = "test-key-1", string? jwkAlg = "RS256") : IDisposable
{
    private readonly RSA rsa = RSA.Create(2048);

    public string Kid { get; } = kid;

    public string Jwks() => Combine(this);

    public static string Combine(params TestIssuer[] issuers) =>
        new JsonObject { ["keys"] = new JsonArray([.. issuers.Select(i => (JsonNode)i.Jwk())]) }.ToJsonString();

    private JsonObject Jwk()
    {
        var p = rsa.ExportParameters(false);
        var jwk = new JsonObject
        {
            ["kty"] = "RSA",
            ["kid"] = Kid,
            ["use"] = "sig",
            ["n"] = Base64Url.EncodeToString(p.Modulus),
            ["e"] = Base64Url.EncodeToString(p.Exponent),
        };
        if (jwkAlg is not null)
        {
            jwk["alg"] = jwkAlg;
        }

        return jwk;
    }

    public string Mint(JsonObject claims, string alg = "RS256", JsonObject? header = null)
    {
        header ??= new JsonObject { ["kid"] = Kid, ["alg"] = alg };
        var input = Segment(header) + "." + Segment(claims);
        var hash = alg switch
        {
            "RS384" => HashAlgorithmName.SHA384,
            "RS512" => HashAlgorithmName.SHA512,
            _ => HashAlgorithmName.SHA256,
        };
        var signature = rsa.SignData(Encoding.ASCII.GetBytes(input), hash, RSASignaturePadding.Pkcs1);
        return input + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>One base64url part of a compact JWT: the JSON of <paramref name="node"/>.</summary>
    public static string Segment(JsonNode node) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(node.ToJsonString()));

    public void Dispose() => rsa.Dispose();
}
