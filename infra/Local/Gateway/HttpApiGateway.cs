using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Serverless.Kernel.AspNetCore;
using Serverless.Local.Http;
using Serverless.Local.Lambda;

namespace Serverless.Local.Gateway;

/// <summary>
/// The HTTP API on <c>127.0.0.1</c>: API Gateway's route selection, JWT authorizer, CORS and
/// payload format 2.0, invoking the route's function through the local Lambda service.
/// </summary>
public sealed class HttpApiGateway : IAsyncDisposable
{
    /// <summary>HTTP API's longest integration timeout.</summary>
    public static readonly TimeSpan IntegrationTimeout = TimeSpan.FromSeconds(30);

    private readonly WebApplication app;
    private readonly IReadOnlyList<HttpApiRoute> routes;
    private readonly IReadOnlyDictionary<string, JwtAuthorizer> authorizers;
    private readonly CorsConfiguration? cors;
    private readonly LambdaService lambda;
    private readonly Action<string> log;

    private HttpApiGateway(WebApplication app, IReadOnlyList<HttpApiRoute> routes, IReadOnlyDictionary<string, JwtAuthorizer> authorizers,
        CorsConfiguration? cors, LambdaService lambda, Action<string> log)
    {
        this.app = app;
        this.routes = routes.OrderByDescending(route => route.Specificity).ToList();
        this.authorizers = authorizers;
        this.cors = cors;
        this.lambda = lambda;
        this.log = log;
    }

    public string Endpoint => app.Urls.First();

    public static async Task<HttpApiGateway> StartAsync(int port, IReadOnlyList<HttpApiRoute> routes,
        IReadOnlyDictionary<string, JwtAuthorizer> authorizers, CorsConfiguration? cors, LambdaService lambda, Action<string> log)
    {
        // HTTP APIs take payloads of at most 10 MB.
        var gateway = new HttpApiGateway(LocalHttp.Create(port, maxRequestBodySize: 10 * 1024 * 1024, inline: true), routes,
            authorizers, cors, lambda, log);
        gateway.app.Run(gateway.HandleAsync);
        await gateway.app.StartAsync();
        return gateway;
    }

    /// <summary>One request as API Gateway serves it: CORS, then the route, its authorizer and its integration.</summary>
    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var requestId = NewRequestId();
        response.Headers["apigw-requestid"] = requestId;

        if (cors is not null && cors.IsPreflight(request))
        {
            cors.WritePreflight(request, response);
            return;
        }
        cors?.WriteResponseHeaders(request, response);

        var rawTarget = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var path = Uri.UnescapeDataString(rawTarget.Split('?', 2)[0]);
        if (SelectRoute(request.Method, path, out var pathParameters) is not { } route)
        {
            await MessageAsync(response, 404, "Not Found");
            return;
        }

        AuthorizerResult.Allowed? authorizer = null;
        if (route.Authorizer is { } authorizerName)
        {
            var result = await authorizers[authorizerName].AuthorizeAsync(
                request.Headers.Authorization.ToString(), route.Scopes, context.RequestAborted);
            if (result is AuthorizerResult.Denied denied)
            {
                await DenyAsync(context, path, denied);
                return;
            }
            authorizer = (AuthorizerResult.Allowed)result;
        }

        var payload = Event(context, route, rawTarget, path, pathParameters, authorizer, await request.ReadBodyAsync(), requestId);
        await InvokeIntegrationAsync(response, route, payload);
    }

    /// <summary>The most specific route that matches (<see cref="routes"/> is in that order), with its path parameters.</summary>
    private HttpApiRoute? SelectRoute(string method, string path, out Dictionary<string, string> pathParameters)
    {
        foreach (var route in routes)
            if (route.TryMatch(method, path, out pathParameters)) return route;
        pathParameters = [];
        return null;
    }

    private async Task DenyAsync(HttpContext context, string path, AuthorizerResult.Denied denied)
    {
        var response = context.Response;
        if (denied.WwwAuthenticate is { } challenge) response.Headers.WWWAuthenticate = challenge;
        response.StatusCode = denied.StatusCode;
        response.ContentType = "application/json";
        await response.WriteAsync(denied.Body);
        log($"[gateway] {context.Request.Method} {path} -> {denied.StatusCode}: {denied.Reason}");
    }

    /// <summary>Invokes the route's function within <see cref="IntegrationTimeout"/> and writes what it answered.</summary>
    private async Task InvokeIntegrationAsync(HttpResponse response, HttpApiRoute route, byte[] payload)
    {
        using var timeout = new CancellationTokenSource(IntegrationTimeout);
        InvocationResult invocation;
        try
        {
            // A caller's trace header carries on into the function's invocation, as Lambda keeps an incoming one.
            invocation = await lambda.InvokeAsync(route.FunctionName, payload, timeout.Token,
                response.HttpContext.Request.Headers["X-Amzn-Trace-Id"]);
        }
        catch (OperationCanceledException)
        {
            await MessageAsync(response, 503, "Service Unavailable");
            return;
        }
        if (invocation.FunctionError is not null)
        {
            log($"[gateway] {route.RouteKey}: {route.FunctionName} failed: {Encoding.UTF8.GetString(invocation.Payload)}");
            await MessageAsync(response, 500, "Internal Server Error");
            return;
        }
        await WriteIntegrationResponseAsync(response, invocation.Payload);
    }

    /// <summary>
    /// The payload format 2.0 request event, as API Gateway builds it, written straight to its bytes (it is built on every
    /// request): members without a value are left out, as API Gateway leaves them out.
    /// </summary>
    private static byte[] Event(HttpContext context, HttpApiRoute route, string rawTarget, string path,
        Dictionary<string, string> pathParameters, AuthorizerResult.Allowed? authorizer, byte[] body, string requestId)
    {
        var request = context.Request;
        var rawQuery = rawTarget.Contains('?') ? rawTarget.Split('?', 2)[1] : "";
        var isText = HttpApiBody.IsText(request.ContentType, request.Headers.ContentEncoding);
        var buffer = new ArrayBufferWriter<byte>(2048 + body.Length * 2);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("version", "2.0");
            json.WriteString("routeKey", route.RouteKey);
            json.WriteString("rawPath", path);
            json.WriteString("rawQueryString", rawQuery);
            WriteHeadersAndCookies(json, request.Headers);
            if (rawQuery.Length > 0) WriteObject(json, "queryStringParameters", QueryParameters(rawQuery));
            if (pathParameters.Count > 0) WriteObject(json, "pathParameters", pathParameters);
            WriteRequestContext(json, context, route, path, authorizer, requestId);
            if (body.Length > 0)
            {
                if (isText) json.WriteString("body", Encoding.UTF8.GetString(body));
                else json.WriteBase64String("body", body);
            }
            json.WriteBoolean("isBase64Encoded", body.Length > 0 && !isText);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// <c>cookies</c>, one entry per cookie (only when there are some), then <c>headers</c>: the others by lower-case name,
    /// values joined with commas.
    /// </summary>
    private static void WriteHeadersAndCookies(Utf8JsonWriter json, IHeaderDictionary requestHeaders)
    {
        if (requestHeaders.Cookie is { Count: > 0 } cookieHeaders)
        {
            json.WriteStartArray("cookies");
            foreach (var value in cookieHeaders)
                foreach (var cookie in value!.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                    json.WriteStringValue(cookie);
            json.WriteEndArray();
        }
        json.WriteStartObject("headers");
        foreach (var (name, values) in requestHeaders)
            if (!string.Equals(name, "cookie", StringComparison.OrdinalIgnoreCase))
                json.WriteString(name.ToLowerInvariant(), values.Count == 1 ? values[0] : string.Join(',', values.ToArray()));
        json.WriteEndObject();
    }

    private static void WriteObject(Utf8JsonWriter json, string name, IEnumerable<KeyValuePair<string, string>> members)
    {
        json.WriteStartObject(name);
        foreach (var (key, value) in members) json.WriteString(key, value);
        json.WriteEndObject();
    }

    /// <summary>The decoded query parameters, a repeated one's values joined with commas.</summary>
    private static Dictionary<string, string> QueryParameters(string rawQuery) =>
        rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .GroupBy(pair => Decode(pair[0]))
            .ToDictionary(group => group.Key, group => string.Join(',', group.Select(pair => pair.Length > 1 ? Decode(pair[1]) : "")));

    private static void WriteRequestContext(Utf8JsonWriter json, HttpContext context, HttpApiRoute route, string path,
        AuthorizerResult.Allowed? authorizer, string requestId)
    {
        var request = context.Request;
        var now = DateTimeOffset.UtcNow;
        var host = request.Host.Value ?? "127.0.0.1";
        json.WriteStartObject("requestContext");
        json.WriteString("accountId", LocalAccount.AccountId);
        json.WriteString("apiId", "local");
        if (authorizer is not null)
        {
            json.WriteStartObject("authorizer");
            json.WriteStartObject("jwt");
            WriteObject(json, "claims", authorizer.Claims);
            // null (not left out) for a route that declares no scopes.
            if (authorizer.Scopes is { } scopes)
            {
                json.WriteStartArray("scopes");
                foreach (var scope in scopes) json.WriteStringValue(scope);
                json.WriteEndArray();
            }
            else
            {
                json.WriteNull("scopes");
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteString("domainName", host);
        json.WriteString("domainPrefix", host.Split('.')[0]);
        json.WriteStartObject("http");
        json.WriteString("method", request.Method);
        json.WriteString("path", path);
        json.WriteString("protocol", request.Protocol);
        json.WriteString("sourceIp", context.Connection.RemoteIpAddress?.MapToIPv4().ToString() ?? "127.0.0.1");
        json.WriteString("userAgent", request.Headers.UserAgent.ToString());
        json.WriteEndObject();
        json.WriteString("requestId", requestId);
        json.WriteString("routeKey", route.RouteKey);
        json.WriteString("stage", "$default");
        json.WriteString("time", now.ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture));
        json.WriteNumber("timeEpoch", now.ToUnixTimeMilliseconds());
        json.WriteEndObject();
    }

    /// <summary>
    /// Payload format 2.0 responses: an object with <c>statusCode</c> is taken as written; anything
    /// else is a 200 JSON body, as API Gateway infers it.
    /// </summary>
    private static async Task WriteIntegrationResponseAsync(HttpResponse response, byte[] payload)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload);
        }
        catch (JsonException)
        {
            await MessageAsync(response, 500, "Internal Server Error");
            return;
        }
        using (document)
        {
            var result = document.RootElement;
            if (result.ValueKind != JsonValueKind.Object || !result.TryGetProperty("statusCode", out var statusCode))
            {
                response.ContentType = "application/json";
                await response.Body.WriteAsync(payload);
                return;
            }
            response.StatusCode = statusCode.GetInt32();
            if (Member(result, "headers") is { ValueKind: not JsonValueKind.Null } headers)
                foreach (var header in headers.EnumerateObject())
                    response.Headers[header.Name] = NodeText(header.Value);
            if (Member(result, "cookies") is { ValueKind: not JsonValueKind.Null } cookies)
                foreach (var cookie in cookies.EnumerateArray())
                    response.Headers.Append("set-cookie", cookie.GetString());
            if (Member(result, "body") is { ValueKind: not JsonValueKind.Null } body)
            {
                var text = body.GetString()!;
                var bytes = Member(result, "isBase64Encoded") is { ValueKind: not JsonValueKind.Null } base64 && base64.GetBoolean()
                    ? Convert.FromBase64String(text) : Encoding.UTF8.GetBytes(text);
                await response.Body.WriteAsync(bytes);
            }
        }
    }

    private static JsonElement? Member(JsonElement json, string name) => json.TryGetProperty(name, out var value) ? value : null;

    /// <summary>A header's value: a string as it is, anything else (rare) as <see cref="JsonNode.ToString"/> writes it; a
    /// JSON null takes the header away.</summary>
    private static string? NodeText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null => null,
        _ => JsonNode.Parse(value.GetRawText())!.ToString(),
    };

    private static Task MessageAsync(HttpResponse response, int status, string message)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        return response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["message"] = message }));
    }

    private static string Decode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));

    /// <summary>API Gateway request ids look like <c>JvWc1gC2IAMEMvA=</c>.</summary>
    private static string NewRequestId() => Convert.ToBase64String(Guid.NewGuid().ToByteArray()[..11]);

    public ValueTask DisposeAsync() => app.DisposeAsync();
}
