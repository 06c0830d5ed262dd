using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Serverless.Local;
using Serverless.Local.Emulators;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// cognito-local signs every token with one key pair it ships; tests use its private key to mint
/// tokens real Cognito would never issue (an expired one) that still carry a valid signature.
/// </summary>
internal static class CognitoLocalKey
{
    private static readonly Lazy<RSA> key = new(() =>
    {
        var repoRoot = LocalCloudOptions.FindRepoRoot(AppContext.BaseDirectory);
        var installer = new EmulatorInstaller(Path.Combine(repoRoot, ".local", "emulators"));
        var path = Path.Combine(installer.CognitoLocalDirectory, "node_modules", "cognito-local", "lib", "keys",
            "cognitoLocal.private.json");
        var rsa = RSA.Create();
        rsa.ImportFromPem(JsonDocument.Parse(File.ReadAllText(path)).RootElement.GetProperty("pem").GetString());
        return rsa;
    });

    /// <summary>Signs <c>{header}.{payload}</c> (both base64url) with RS256.</summary>
    public static string Sign(string header, string payload)
    {
        var signature = key.Value.SignData(Encoding.ASCII.GetBytes($"{header}.{payload}"), HashAlgorithmName.SHA256,
            RSASignaturePadding.Pkcs1);
        return $"{header}.{payload}.{Base64Url.EncodeToString(signature)}";
    }
}
