using System.Globalization;
using System.Security.Cryptography;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http.Features;
using Serverless.Kernel.Aws;
using Serverless.Local.Http;

namespace Serverless.Local.S3;

/// <summary>
/// The S3 endpoint the local cloud publishes (path-style: <c>{Endpoint}/{bucket}/{key}</c>): every request goes through
/// to the S3 emulator, bodies streamed both ways, after covering what the emulator does differently from S3:
/// <list type="bullet">
/// <item><c>aws-chunked</c> request bodies (what AWSSDK.S3 4 and the AWS CLI send by default, signed or with trailing
/// checksums) are decoded into the plain data, so the emulator stores the object and not the chunk frames;
/// a malformed one is refused with 400 <c>IncompleteBody</c>.</item>
/// <item>CORS follows the bucket's rules from the template: the front answers every preflight itself and adds the
/// CORS headers to responses for an allowed origin, as S3 does.</item>
/// <item>An expired presigned URL is refused with 403 <c>AccessDenied</c> "Request has expired".</item>
/// <item>Every request but a preflight needs SigV4 (header or presigned URL) with the local credentials, refused as S3
/// refuses it (403 <c>SignatureDoesNotMatch</c>, <c>InvalidAccessKeyId</c>, <c>AccessDenied</c>); the chunk signatures
/// of an aws-chunked body are not checked, only the seed signature of its headers.</item>
/// <item>A key or copy source with a <c>.</c> or <c>..</c> segment is refused with 400 <c>InvalidArgument</c>: s3rver
/// would write it outside its folder.</item>
/// <item>Conditional requests (<c>If-None-Match: *</c> on writes, <c>If-Match</c>) are evaluated as S3 does:
/// <see cref="S3Preconditions"/>.</item>
/// </list>
/// </summary>
public sealed class S3Front : IAsyncDisposable
{
    /// <summary>S3's largest single PUT.</summary>
    private const long MaxBodySize = 5L * 1024 * 1024 * 1024;

    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Expect", "TE", "Upgrade", "X-Forwarded-For",
        "Origin", // the front answers CORS itself; s3rver refuses any request that carries one (s3rver-launcher.js)
    };

    private readonly WebApplication app;
    private readonly HttpClient emulator;
    private readonly Func<string, IReadOnlyList<S3CorsRule>?> corsRulesOf;
    private readonly TimeProvider time;
    private readonly S3Preconditions preconditions;
    private readonly SigV4Verifier signer;

    private S3Front(WebApplication app, string emulatorEndpoint, Func<string, IReadOnlyList<S3CorsRule>?> corsRulesOf, TimeProvider time)
    {
        this.app = app;
        emulator = new HttpClient { BaseAddress = new Uri(emulatorEndpoint), Timeout = Timeout.InfiniteTimeSpan };
        this.corsRulesOf = corsRulesOf;
        this.time = time;
        preconditions = new S3Preconditions(emulator);
        signer = LocalSigV4.Verifier("s3", time);
    }

    /// <summary>The endpoint, e.g. http://127.0.0.1:4566 (<c>AWS_ENDPOINT_URL_S3</c>, <c>aws --endpoint-url</c>).</summary>
    public string Endpoint => app.Urls.First();

    /// <param name="port">Port on 127.0.0.1; 0 picks a free one.</param>
    /// <param name="emulatorEndpoint">The S3 emulator's own endpoint.</param>
    /// <param name="corsRulesOf">The CORS rules of a bucket; null when it has no CORS configuration.</param>
    /// <param name="time">The clock presigned URLs expire by; the system clock when null.</param>
    public static async Task<S3Front> StartAsync(int port, string emulatorEndpoint, Func<string, IReadOnlyList<S3CorsRule>?> corsRulesOf,
        TimeProvider? time = null)
    {
        var front = new S3Front(LocalHttp.Create(port, MaxBodySize), emulatorEndpoint, corsRulesOf, time ?? TimeProvider.System);
        front.app.Run(front.HandleAsync);
        await front.app.StartAsync();
        return front;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var rawTarget = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var segments = rawTarget.Split('?', 2)[0].TrimStart('/').Split('/', 2);
        var bucket = Uri.UnescapeDataString(segments[0]);
        var resourceType = segments.Length > 1 && segments[1].Length > 0 ? "OBJECT" : "BUCKET";
        var origin = request.Headers.Origin.ToString();

        if (HttpMethods.IsOptions(request.Method))
        {
            await PreflightAsync(context, bucket, origin, resourceType);
            return;
        }
        if (origin.Length > 0 && corsRulesOf(bucket) is { } rules && S3CorsRule.Match(rules, origin, request.Method, []) is { } rule)
            rule.WriteHeaders(context.Response.Headers, origin, []);

        if (Expired(request) is { } expired)
        {
            await ErrorAsync(context.Response, 403, "AccessDenied", "Request has expired", expired);
            return;
        }
        if (Refusal(request) is { } refusal)
        {
            await ErrorAsync(context.Response, refusal.Status, refusal.Code, refusal.Message);
            return;
        }
        using var conditions = await preconditions.EvaluateAsync(request, rawTarget.Split('?', 2)[0], context.RequestAborted);
        if (conditions.Error is { } failed)
        {
            await ErrorAsync(context.Response, failed.Status, failed.Code, failed.Message, failed.Details);
            return;
        }
        await ForwardAsync(context, rawTarget);
    }

    /// <summary>A preflight is answered here, from the bucket's rules (the emulator would allow any origin).</summary>
    private Task PreflightAsync(HttpContext context, string bucket, string origin, string resourceType)
    {
        var request = context.Request;
        if (origin.Length == 0)
            return ErrorAsync(context.Response, 400, "BadRequest", "Insufficient information. Origin request header needed.");
        var method = request.Headers.AccessControlRequestMethod.ToString() is { Length: > 0 } requested ? requested : "OPTIONS";
        var denied = new Dictionary<string, string> { ["Method"] = method, ["ResourceType"] = resourceType };
        if (corsRulesOf(bucket) is not { } rules)
        {
            denied["ResourceType"] = "BUCKET";
            return ErrorAsync(context.Response, 403, "AccessForbidden", "CORSResponse: CORS is not enabled for this bucket.", denied);
        }
        var headers = request.Headers.AccessControlRequestHeaders.ToString()
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (S3CorsRule.Match(rules, origin, method, headers) is not { } rule)
            return ErrorAsync(context.Response, 403, "AccessForbidden",
                "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / " +
                "Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.", denied);
        rule.WriteHeaders(context.Response.Headers, origin, headers);
        WriteRequestIds(context.Response);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentLength = 0;
        return Task.CompletedTask;
    }

    /// <summary>
    /// Why a request is refused before it reaches the emulator: not signed with the local credentials (header or
    /// presigned URL; S3's 403s), or a key with a <c>.</c> or <c>..</c> segment, which s3rver would resolve as a path
    /// outside its folder.
    /// </summary>
    private (int Status, string Code, string Message)? Refusal(HttpRequest request)
    {
        // An aws-chunked body is signed by its headers' seed signature (payload hash STREAMING-...), checked here.
        var declaredHash = request.Headers["x-amz-content-sha256"].ToString();
        if (signer.Verify(request.ToSigV4(), declaredHash) is { } refusal)
            return refusal.Failure switch
            {
                SigV4Failure.Missing => (403, "AccessDenied", "Access Denied"),
                SigV4Failure.UnknownAccessKey => (403, "InvalidAccessKeyId",
                    "The AWS Access Key Id you provided does not exist in our records."),
                SigV4Failure.Expired => (403, "RequestTimeTooSkewed", refusal.Message),
                _ => (403, "SignatureDoesNotMatch", refusal.Message),
            };
        var rawTarget = request.HttpContext.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var key = rawTarget.Split('?', 2)[0].TrimStart('/').Split('/', 2) is [_, var rest] ? rest : "";
        var copySource = request.Headers["x-amz-copy-source"].ToString();
        return HasDotSegment(key) || HasDotSegment(copySource)
            ? (400, "InvalidArgument", "The local cloud does not take object keys with '.' or '..' segments.")
            : null;
    }

    private static bool HasDotSegment(string escapedKey) =>
        Uri.UnescapeDataString(escapedKey).Split('/', '\\').Any(segment => segment is "." or "..");

    /// <summary>S3's "Request has expired" details when the request is a presigned URL past its <c>X-Amz-Expires</c>.</summary>
    private Dictionary<string, string>? Expired(HttpRequest request)
    {
        if (!DateTimeOffset.TryParseExact(request.Query["X-Amz-Date"].ToString(), "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal, out var signed)
            || !int.TryParse(request.Query["X-Amz-Expires"].ToString(), CultureInfo.InvariantCulture, out var seconds))
            return null;
        var expires = signed.AddSeconds(seconds);
        var now = time.GetUtcNow();
        return now <= expires ? null : new Dictionary<string, string>
        {
            ["X-Amz-Expires"] = seconds.ToString(CultureInfo.InvariantCulture),
            ["Expires"] = expires.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["ServerTime"] = now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        };
    }

    private async Task ForwardAsync(HttpContext context, string rawTarget)
    {
        var request = context.Request;
        var response = context.Response;
        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), rawTarget);
        AwsChunkedStream? chunked = null;
        if (IsAwsChunked(request))
        {
            if (!long.TryParse(request.Headers["x-amz-decoded-content-length"], CultureInfo.InvariantCulture, out var decodedLength))
            {
                await ErrorAsync(response, 411, "MissingContentLength", "You must provide the Content-Length HTTP header.");
                return;
            }
            chunked = new AwsChunkedStream(request.Body, decodedLength);
            forward.Content = new StreamContent(chunked) { Headers = { ContentLength = decodedLength } };
        }
        else if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0 || HttpMethods.IsPut(request.Method)
            || HttpMethods.IsPost(request.Method))
        {
            forward.Content = new StreamContent(request.Body);
            if (request.ContentLength is { } length) forward.Content.Headers.ContentLength = length;
        }
        CopyRequestHeaders(request, forward, chunked is not null);
        if (context.Connection.RemoteIpAddress is { } client)
            forward.Headers.TryAddWithoutValidation("X-Forwarded-For",
                (client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client).ToString());

        HttpResponseMessage answer;
        try
        {
            answer = await emulator.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        }
        catch (HttpRequestException) when (chunked?.Error is { } error)
        {
            await ErrorAsync(response, 400, error.Code, error.Message);
            return;
        }
        using (answer)
        {
            response.StatusCode = (int)answer.StatusCode;
            response.CopyHeadersFrom(answer);
            await answer.Content.CopyToAsync(response.Body, context.RequestAborted);
        }
    }

    private static bool IsAwsChunked(HttpRequest request) =>
        request.Headers["x-amz-content-sha256"].ToString().StartsWith("STREAMING-", StringComparison.Ordinal)
        || request.Headers.ContentEncoding.ToString().Contains("aws-chunked", StringComparison.OrdinalIgnoreCase);

    /// <summary>Copies the request's headers; for a decoded aws-chunked body, the headers describe the plain data.</summary>
    private static void CopyRequestHeaders(HttpRequest request, HttpRequestMessage forward, bool decoded)
    {
        foreach (var (name, values) in request.Headers)
        {
            if (NotForwarded.Contains(name)) continue;
            var value = values.ToArray();
            if (decoded)
            {
                if (name.Equals("x-amz-decoded-content-length", StringComparison.OrdinalIgnoreCase)
                    || name.Equals("x-amz-trailer", StringComparison.OrdinalIgnoreCase)) continue;
                if (name.Equals("x-amz-content-sha256", StringComparison.OrdinalIgnoreCase)) value = ["UNSIGNED-PAYLOAD"];
                if (name.Equals("Content-Encoding", StringComparison.OrdinalIgnoreCase))
                {
                    value = [.. string.Join(',', value).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                        .Where(coding => !coding.Equals("aws-chunked", StringComparison.OrdinalIgnoreCase))];
                    if (value.Length == 0) continue;
                }
            }
            if (!forward.Headers.TryAddWithoutValidation(name, value))
                forward.Content?.Headers.TryAddWithoutValidation(name, value);
        }
    }

    /// <summary>An error in S3's XML shape, with the extra elements some errors carry between Message and RequestId.</summary>
    private static Task ErrorAsync(HttpResponse response, int status, string code, string message,
        IReadOnlyDictionary<string, string>? extra = null)
    {
        var (requestId, hostId) = WriteRequestIds(response);
        var error = new XElement("Error", new XElement("Code", code), new XElement("Message", message));
        foreach (var (name, value) in extra ?? new Dictionary<string, string>()) error.Add(new XElement(name, value));
        error.Add(new XElement("RequestId", requestId), new XElement("HostId", hostId));
        response.StatusCode = status;
        response.ContentType = "application/xml";
        return response.WriteAsync(new XDeclaration("1.0", "UTF-8", null) + "\n" + error.ToString(SaveOptions.DisableFormatting));
    }

    private static (string RequestId, string HostId) WriteRequestIds(HttpResponse response)
    {
        var requestId = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        var hostId = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        response.Headers["x-amz-request-id"] = requestId;
        response.Headers["x-amz-id-2"] = hostId;
        return (requestId, hostId);
    }

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        emulator.Dispose();
    }
}
