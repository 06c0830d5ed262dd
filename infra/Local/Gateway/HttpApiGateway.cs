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
    /// <summary>HTTP API's largest request body: 10 MB.</summary>
    public const int MaxRequestBody = 10 * 1024 * 1024;

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
        var gateway = new HttpApiGateway(LocalHttp.Create(port, maxRequestBodySize: MaxRequestBody), routes, authorizers, cors,
            lambda, log);
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
        if (request.ContentLength > MaxRequestBody)
        {
            // API Gateway's front door refuses it before any route, in plain text.
            response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            response.ContentType = "text/plain";
            await response.WriteAsync($"HTTP content length exceeded {MaxRequestBody} bytes.");
            return;
        }

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

        JsonObject? authorizer = null;
        if (route.Authorizer is { } authorizerName)
        {
            var result = await authorizers[authorizerName].AuthorizeAsync(
                request.Headers.Authorization.ToString(), route.Scopes, context.RequestAborted);
            if (result is AuthorizerResult.Denied denied)
            {
                await DenyAsync(context, path, denied);
                return;
            }
            authorizer = AuthorizerContext((AuthorizerResult.Allowed)result);
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

    /// <summary><c>requestContext.authorizer</c> for a token the authorizer allowed.</summary>
    private static JsonObject AuthorizerContext(AuthorizerResult.Allowed allowed) => new()
    {
        ["jwt"] = new JsonObject
        {
            ["claims"] = new JsonObject(allowed.Claims.Select(claim => KeyValuePair.Create(claim.Key, (JsonNode?)claim.Value))),
            ["scopes"] = allowed.Scopes is null ? null : new JsonArray(allowed.Scopes.Select(scope => (JsonNode?)scope).ToArray()),
        },
    };

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
        catch (InvocationRefusedException refused)
        {
            // API Gateway answers any invocation Lambda refuses (a throttle, an event over 6 MB) as an internal error.
            log($"[gateway] {route.RouteKey}: Lambda refused to invoke {route.FunctionName}: {refused.ErrorType}: {refused.Message}");
            await MessageAsync(response, 500, "Internal Server Error");
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

    /// <summary>The payload format 2.0 request event, as API Gateway builds it.</summary>
    private static byte[] Event(HttpContext context, HttpApiRoute route, string rawTarget, string path,
        Dictionary<string, string> pathParameters, JsonObject? authorizer, byte[] body, string requestId)
    {
        var request = context.Request;
        var rawQuery = rawTarget.Contains('?') ? rawTarget.Split('?', 2)[1] : "";
        var (headers, cookies) = HeadersAndCookies(request.Headers);
        var isText = HttpApiBody.IsText(request.ContentType, request.Headers.ContentEncoding);
        var json = new JsonObject
        {
            ["version"] = "2.0",
            ["routeKey"] = route.RouteKey,
            ["rawPath"] = path,
            ["rawQueryString"] = rawQuery,
            ["cookies"] = cookies is null ? null : new JsonArray(cookies.Select(cookie => (JsonNode?)cookie).ToArray()),
            ["headers"] = headers,
            ["queryStringParameters"] = QueryParameters(rawQuery),
            ["pathParameters"] = pathParameters.Count == 0
                ? null
                : new JsonObject(pathParameters.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
            ["requestContext"] = RequestContext(context, route, path, authorizer, requestId),
            ["body"] = body.Length == 0 ? null : isText ? Encoding.UTF8.GetString(body) : Convert.ToBase64String(body),
            ["isBase64Encoded"] = body.Length > 0 && !isText,
        };
        foreach (var key in json.Where(pair => pair.Value is null).Select(pair => pair.Key).ToList()) json.Remove(key);
        return JsonSerializer.SerializeToUtf8Bytes(json);
    }

    /// <summary>Headers by lower-case name, values joined with commas; cookies apart, one entry per cookie.</summary>
    private static (JsonObject Headers, string[]? Cookies) HeadersAndCookies(IHeaderDictionary requestHeaders)
    {
        var headers = new JsonObject();
        string[]? cookies = null;
        foreach (var (name, values) in requestHeaders)
        {
            if (string.Equals(name, "cookie", StringComparison.OrdinalIgnoreCase))
                cookies = values
                    .SelectMany(value => value!.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                    .ToArray();
            else
                headers[name.ToLowerInvariant()] = string.Join(',', values.ToArray());
        }
        return (headers, cookies);
    }

    /// <summary>The decoded query parameters, a repeated one's values joined with commas; null without a query.</summary>
    private static JsonObject? QueryParameters(string rawQuery)
    {
        if (rawQuery.Length == 0) return null;
        var query = new JsonObject();
        foreach (var group in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .GroupBy(pair => Decode(pair[0])))
            query[group.Key] = string.Join(',', group.Select(pair => pair.Length > 1 ? Decode(pair[1]) : ""));
        return query;
    }

    private static JsonObject RequestContext(HttpContext context, HttpApiRoute route, string path, JsonObject? authorizer,
        string requestId)
    {
        var request = context.Request;
        var now = DateTimeOffset.UtcNow;
        var host = request.Host.Value ?? "127.0.0.1";
        var requestContext = new JsonObject
        {
            ["accountId"] = LocalAccount.AccountId,
            ["apiId"] = "local",
            ["authorizer"] = authorizer,
            ["domainName"] = host,
            ["domainPrefix"] = host.Split('.')[0],
            ["http"] = new JsonObject
            {
                ["method"] = request.Method,
                ["path"] = path,
                ["protocol"] = request.Protocol,
                ["sourceIp"] = context.Connection.RemoteIpAddress?.MapToIPv4().ToString() ?? "127.0.0.1",
                ["userAgent"] = request.Headers.UserAgent.ToString(),
            },
            ["requestId"] = requestId,
            ["routeKey"] = route.RouteKey,
            ["stage"] = "$default",
            ["time"] = now.ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture),
            ["timeEpoch"] = now.ToUnixTimeMilliseconds(),
        };
        if (authorizer is null) requestContext.Remove("authorizer");
        return requestContext;
    }

    /// <summary>
    /// Payload format 2.0 responses: an object with <c>statusCode</c> is taken as written; anything
    /// else is a 200 JSON body, as API Gateway infers it.
    /// </summary>
    private static async Task WriteIntegrationResponseAsync(HttpResponse response, byte[] payload)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(payload);
        }
        catch (JsonException)
        {
            await MessageAsync(response, 500, "Internal Server Error");
            return;
        }
        if (node is not JsonObject result || !result.ContainsKey("statusCode"))
        {
            response.ContentType = "application/json";
            await response.Body.WriteAsync(payload);
            return;
        }
        response.StatusCode = result["statusCode"]!.GetValue<int>();
        foreach (var (name, value) in result["headers"]?.AsObject() ?? [])
            response.Headers[name] = value?.ToString();
        foreach (var cookie in result["cookies"]?.AsArray() ?? [])
            response.Headers.Append("set-cookie", cookie!.GetValue<string>());
        if (result["body"]?.GetValue<string>() is { } text)
        {
            var bytes = result["isBase64Encoded"]?.GetValue<bool>() == true ? Convert.FromBase64String(text) : Encoding.UTF8.GetBytes(text);
            await response.Body.WriteAsync(bytes);
        }
    }

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
