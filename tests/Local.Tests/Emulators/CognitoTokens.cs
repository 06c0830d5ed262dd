using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Serverless.Local.Tests.Emulators;

/// <summary>Reads and verifies the JWTs cognito-local issues.</summary>
internal static class CognitoTokens
{
    /// <summary>The decoded header of <paramref name="jwt"/>.</summary>
    public static JsonElement Header(string jwt) => JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[0])).RootElement;

    /// <summary>The decoded claims of <paramref name="jwt"/>.</summary>
    public static JsonElement Payload(string jwt) => JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[1])).RootElement;

    /// <summary>True when <paramref name="jwt"/> is RS256 and signed by the key its <c>kid</c> names in <paramref name="jwks"/>.</summary>
    public static bool VerifyRs256(string jwt, JsonElement jwks)
    {
        var parts = jwt.Split('.');
        var header = Header(jwt);
        if (header.GetProperty("alg").GetString() != "RS256")
        {
            return false;
        }
        var kid = header.GetProperty("kid").GetString();
        var key = jwks.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("kid").GetString() == kid);
        using var rsa = RSA.Create(new RSAParameters
        {
            Modulus = Base64Url.DecodeFromChars(key.GetProperty("n").GetString()),
            Exponent = Base64Url.DecodeFromChars(key.GetProperty("e").GetString()),
        });
        return rsa.VerifyData(
            Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]),
            Base64Url.DecodeFromChars(parts[2]),
            HashAlgorithmName.SHA256,
            RSASignaturePadding.Pkcs1);
    }
}
