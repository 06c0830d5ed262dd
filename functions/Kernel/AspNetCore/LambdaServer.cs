using System.Net;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.Extensions.Logging;
using Serverless.Kernel.Events;
using Serverless.Kernel.Runtime;

namespace Serverless.Kernel.AspNetCore;

/// <summary>
/// An <see cref="IServer"/> that takes API Gateway HTTP API (payload 2.0) events instead of
/// sockets: each event runs through the app's middleware pipeline and comes back as the response
/// event. Registered in place of Kestrel when the app runs as a Lambda function.
/// </summary>
public sealed class LambdaServer(ILogger<LambdaServer> logger) : IServer
{
    private Func<IFeatureCollection, LambdaResponseFeature, Task>? process;

    public IFeatureCollection Features { get; } = new FeatureCollection();

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull
    {
        process = async (features, response) =>
        {
            var context = application.CreateContext(features);
            Exception? error = null;
            try
            {
                try
                {
                    await application.ProcessRequestAsync(context);
                }
                catch (Exception exception) when (!response.HasStarted)
                {
                    // Like Kestrel: an exception no middleware handled is logged here (nothing else logs it) and is a bare 500.
                    error = exception;
                    logger.LogError(exception, "Unhandled exception in {Method} {Path}",
                        features.Get<IHttpRequestFeature>()?.Method, features.Get<IHttpRequestFeature>()?.Path);
                    response.Reset(StatusCodes.Status500InternalServerError);
                }
                await response.FireOnStartingAsync();
            }
            catch (Exception exception)
            {
                error ??= exception;
                throw;
            }
            finally
            {
                // Always, as Kestrel does: OnCompleted ends the request's DI scope (RegisterForDispose).
                try
                {
                    await response.FireOnCompletedAsync();
                }
                finally
                {
                    application.DisposeContext(context, error);
                }
            }
        };
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() { }

    /// <summary>Runs one API Gateway request through the app.</summary>
    public async Task<APIGatewayHttpApiV2ProxyResponse> ProcessAsync(APIGatewayHttpApiV2ProxyRequest request, LambdaContext context)
    {
        if (process is null) throw new InvalidOperationException("The web application has not been started.");
        var response = new LambdaResponseFeature();
        await process(RequestFeatures(request, context, response), response);
        return response.ToApiGatewayResponse();
    }

    private static FeatureCollection RequestFeatures(APIGatewayHttpApiV2ProxyRequest request, LambdaContext context,
        LambdaResponseFeature response)
    {
        var http = request.RequestContext?.Http;
        var (pathBase, path) = SplitStage(request.RawPath ?? "/", request.RequestContext?.Stage);
        IHeaderDictionary headers = new HeaderDictionary();
        foreach (var (name, value) in request.Headers ?? [])
            headers[name] = value;
        if (request.Cookies is { Length: > 0 } cookies)
            headers.Cookie = string.Join("; ", cookies);

        var body = request.Body is null ? []
            : request.IsBase64Encoded ? Convert.FromBase64String(request.Body)
            : Encoding.UTF8.GetBytes(request.Body);
        headers.ContentLength = body.Length == 0 && request.Body is null ? null : body.Length;

        var query = string.IsNullOrEmpty(request.RawQueryString) ? "" : "?" + request.RawQueryString;
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(new HttpRequestFeature
        {
            Protocol = http?.Protocol ?? "HTTP/1.1",
            Scheme = "https",
            Method = http?.Method ?? "GET",
            // The feature takes unescaped strings; PathString's implicit conversion to string would escape them.
            PathBase = pathBase.Value ?? "",
            Path = path.Value ?? "/",
            QueryString = query,
            RawTarget = new PathString(pathBase + path).ToUriComponent() + query,
            Headers = headers,
            Body = new MemoryStream(body, writable: false),
        });
        features.Set<IHttpRequestBodyDetectionFeature>(new RequestBodyDetection(body.Length > 0));
        features.Set<IHttpResponseFeature>(response);
        features.Set<IHttpResponseBodyFeature>(response);
        features.Set<IHttpRequestIdentifierFeature>(
            new HttpRequestIdentifierFeature { TraceIdentifier = request.RequestContext?.RequestId ?? context.AwsRequestId });
        features.Set<IHttpRequestLifetimeFeature>(new HttpRequestLifetimeFeature { RequestAborted = context.CancellationToken });
        features.Set<IHttpConnectionFeature>(new HttpConnectionFeature
        {
            RemoteIpAddress = IPAddress.TryParse(http?.SourceIp, out var ip) ? ip : null,
            LocalPort = 443,
            ConnectionId = context.AwsRequestId,
        });
        features.Set<IHttpAuthenticationFeature>(new HttpAuthenticationFeature { User = User(request) });
        features.Set(new LambdaRequestFeature(request, context));
        return features;
    }

    /// <summary>
    /// <c>rawPath</c> arrives decoded and, on a named stage, starts with <c>/{stage}</c>: that part
    /// becomes the path base so routes match as written in the template.
    /// </summary>
    private static (PathString PathBase, PathString Path) SplitStage(string rawPath, string? stage)
    {
        if (string.IsNullOrEmpty(stage) || stage == "$default") return (PathString.Empty, new PathString(rawPath));
        var prefix = "/" + stage;
        if (rawPath == prefix) return (new PathString(prefix), new PathString("/"));
        return rawPath.StartsWith(prefix + "/", StringComparison.Ordinal)
            ? (new PathString(prefix), new PathString(rawPath[prefix.Length..]))
            : (PathString.Empty, new PathString(rawPath));
    }

    /// <summary>
    /// The JWT authorizer's claims as the principal. API Gateway sends every claim as a string;
    /// <c>cognito:groups</c> arrives as <c>"[admin editor]"</c> and becomes one claim per group,
    /// which is also the identity's role claim type.
    /// </summary>
    private static ClaimsPrincipal User(APIGatewayHttpApiV2ProxyRequest request)
    {
        var jwtClaims = request.RequestContext?.Authorizer?.Jwt?.Claims;
        if (jwtClaims is null) return new ClaimsPrincipal(new ClaimsIdentity());
        var claims = new List<Claim>();
        foreach (var (type, value) in jwtClaims)
        {
            if (type == CognitoGroups && value.StartsWith('[') && value.EndsWith(']'))
                claims.AddRange(value[1..^1].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(group => new Claim(type, group)));
            else
                claims.Add(new Claim(type, value));
        }
        return new ClaimsPrincipal(new ClaimsIdentity(claims, AuthenticationType, "username", CognitoGroups));
    }

    /// <summary>The authentication type of principals built from API Gateway's JWT authorizer.</summary>
    public const string AuthenticationType = "ApiGatewayJwt";

    private const string CognitoGroups = "cognito:groups";
}

/// <summary>Minimal APIs read a body only where the server says there can be one.</summary>
internal sealed record RequestBodyDetection(bool CanHaveBody) : IHttpRequestBodyDetectionFeature;

/// <summary>The Lambda event and context behind the current request.</summary>
public sealed record LambdaRequestFeature(APIGatewayHttpApiV2ProxyRequest Request, LambdaContext Context);
