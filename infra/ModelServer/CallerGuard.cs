using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Features;
using Serverless.Kernel.Aws;

namespace Serverless.ModelServer;

/// <summary>
/// Keeps web pages out: a request carrying an <c>Origin</c> (a browser puts one on every cross-site POST and cannot
/// leave it out) is refused on every route, and, when the server is given credentials, InvokeEndpoint needs SigV4
/// with them, refused as SageMaker Runtime refuses it (403 with <c>x-amzn-ErrorType</c>).
/// </summary>
internal static class CallerGuard
{
    public static void Use(WebApplication app, ModelServerOptions options)
    {
        var verifier = options is { AccessKey: { } accessKey, SecretKey: { } secretKey }
            ? new SigV4Verifier(accessKey, secretKey, SageMakerRuntimeClient.SigningName, TimeProvider.System)
            : null;
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (request.Headers.Origin.Count > 0)
            {
                await ErrorAsync(context.Response, "AccessDeniedException", "The model server does not answer requests from web pages.");
                return;
            }
            if (verifier is not null && request.Path.StartsWithSegments("/endpoints"))
            {
                request.EnableBuffering();
                var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(request.Body, context.RequestAborted));
                request.Body.Position = 0;
                var signed = new SigV4Request(request.Method, context.Features.Get<IHttpRequestFeature>()!.RawTarget,
                    name => request.Headers.TryGetValue(name, out var values) ? string.Join(',', values.ToArray()) : null);
                if (verifier.Verify(signed, hash) is { } refusal)
                {
                    await ErrorAsync(context.Response, refusal.Failure switch
                    {
                        SigV4Failure.Missing => "MissingAuthenticationTokenException",
                        SigV4Failure.UnknownAccessKey => "UnrecognizedClientException",
                        _ => "InvalidSignatureException",
                    }, refusal.Message);
                    return;
                }
            }
            await next(context);
        });
    }

    private static Task ErrorAsync(HttpResponse response, string type, string message)
    {
        response.StatusCode = StatusCodes.Status403Forbidden;
        response.Headers["x-amzn-ErrorType"] = type;
        response.ContentType = "application/json";
        return response.WriteAsync(new JsonObject { ["message"] = message }.ToJsonString());
    }
}
