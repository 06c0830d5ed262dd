using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Serverless.Kernel.Aws;
using Serverless.Local.Lambda;

namespace Serverless.Local.Http;

/// <summary>
/// SigV4 as the local cloud's AWS endpoints check it: signed with the credentials the local cloud hands out
/// (<see cref="LocalAccount"/>), so a web page, which cannot sign, cannot drive them.
/// </summary>
internal static class LocalSigV4
{
    /// <summary>A verifier for one service's signing name (<c>lambda</c>, <c>cognito-idp</c>, <c>s3</c>).</summary>
    public static SigV4Verifier Verifier(string signingName, TimeProvider? time = null) =>
        new(LocalAccount.AccessKeyId, LocalAccount.SecretAccessKey, signingName, time ?? TimeProvider.System);

    /// <summary>The request as the verifier reads it: the raw target as sent, headers by name.</summary>
    public static SigV4Request ToSigV4(this HttpRequest request) => new(
        request.Method,
        request.HttpContext.Features.Get<IHttpRequestFeature>()!.RawTarget,
        name => request.Headers.TryGetValue(name, out var values) ? string.Join(',', values.ToArray()) : null);

    /// <summary>Lower-case hex SHA-256 of a body the front has read whole.</summary>
    public static string PayloadHash(byte[] body) => Convert.ToHexStringLower(SHA256.HashData(body));
}
