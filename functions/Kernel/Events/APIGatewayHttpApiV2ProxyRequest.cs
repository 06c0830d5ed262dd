using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Kernel.Events;

/// <summary>
/// An API Gateway HTTP API request in payload format 2.0. Names follow the official
/// <c>Amazon.Lambda.APIGatewayEvents.APIGatewayHttpApiV2ProxyRequest</c>.
/// </summary>
public sealed class APIGatewayHttpApiV2ProxyRequest
{
    [JsonPropertyName("version")] public string Version { get; set; } = "";
    [JsonPropertyName("routeKey")] public string RouteKey { get; set; } = "";

    /// <summary>
    /// Arrives decoded (no percent-escapes, despite the name) and, on a named stage, starts with that stage:
    /// <c>/prod/me</c> when <see cref="ProxyRequestContext.Stage"/> is <c>prod</c>. The <c>$default</c> stage adds nothing.
    /// </summary>
    [JsonPropertyName("rawPath")] public string RawPath { get; set; } = "";

    /// <summary>Still percent-encoded, and the only place where a repeated key stays apart (<c>a=1&amp;a=2</c>).</summary>
    [JsonPropertyName("rawQueryString")] public string RawQueryString { get; set; } = "";

    /// <summary>One <c>name=value</c> per item. Cookies are not repeated in <see cref="Headers"/>.</summary>
    [JsonPropertyName("cookies")] public string[]? Cookies { get; set; }

    /// <summary>Lower-case names; the values of a repeated header are joined with commas.</summary>
    [JsonPropertyName("headers")] public Dictionary<string, string>? Headers { get; set; }

    /// <summary>Decoded; the values of a repeated key are joined with commas (<c>"a": "1,2"</c>).</summary>
    [JsonPropertyName("queryStringParameters")] public Dictionary<string, string>? QueryStringParameters { get; set; }

    [JsonPropertyName("pathParameters")] public Dictionary<string, string>? PathParameters { get; set; }
    [JsonPropertyName("stageVariables")] public Dictionary<string, string>? StageVariables { get; set; }
    [JsonPropertyName("requestContext")] public ProxyRequestContext RequestContext { get; set; } = new();
    [JsonPropertyName("body")] public string? Body { get; set; }

    /// <summary>
    /// True unless the content type is text-like (<c>text/*</c>, JSON, XML, JavaScript): form posts,
    /// multipart and binary bodies all arrive base64-encoded.
    /// </summary>
    [JsonPropertyName("isBase64Encoded")] public bool IsBase64Encoded { get; set; }

    public sealed class ProxyRequestContext
    {
        [JsonPropertyName("accountId")] public string AccountId { get; set; } = "";
        [JsonPropertyName("apiId")] public string ApiId { get; set; } = "";

        /// <summary>Present only with mutual TLS on a custom domain.</summary>
        [JsonPropertyName("authentication")] public ProxyRequestAuthentication? Authentication { get; set; }

        /// <summary>Absent altogether on a route without an authorizer.</summary>
        [JsonPropertyName("authorizer")] public AuthorizerDescription? Authorizer { get; set; }

        [JsonPropertyName("domainName")] public string DomainName { get; set; } = "";
        [JsonPropertyName("domainPrefix")] public string DomainPrefix { get; set; } = "";
        [JsonPropertyName("http")] public HttpDescription Http { get; set; } = new();
        [JsonPropertyName("requestId")] public string RequestId { get; set; } = "";
        [JsonPropertyName("routeKey")] public string RouteKey { get; set; } = "";
        [JsonPropertyName("stage")] public string Stage { get; set; } = "";

        /// <summary>CLF-style, e.g. <c>14/May/2024:09:56:40 +0000</c>.</summary>
        [JsonPropertyName("time")] public string Time { get; set; } = "";

        /// <summary>Milliseconds since the Unix epoch.</summary>
        [JsonPropertyName("timeEpoch")] public long TimeEpoch { get; set; }
    }

    public sealed class ProxyRequestAuthentication
    {
        [JsonPropertyName("clientCert")] public ProxyRequestClientCert? ClientCert { get; set; }
    }

    public sealed class ProxyRequestClientCert
    {
        [JsonPropertyName("clientCertPem")] public string ClientCertPem { get; set; } = "";
        [JsonPropertyName("subjectDN")] public string SubjectDN { get; set; } = "";
        [JsonPropertyName("issuerDN")] public string IssuerDN { get; set; } = "";
        [JsonPropertyName("serialNumber")] public string SerialNumber { get; set; } = "";
        [JsonPropertyName("validity")] public ClientCertValidity Validity { get; set; } = new();
    }

    public sealed class ClientCertValidity
    {
        [JsonPropertyName("notBefore")] public string NotBefore { get; set; } = "";
        [JsonPropertyName("notAfter")] public string NotAfter { get; set; } = "";
    }

    public sealed class HttpDescription
    {
        [JsonPropertyName("method")] public string Method { get; set; } = "";

        /// <summary>Same as <see cref="RawPath"/>: decoded, with the named stage in front.</summary>
        [JsonPropertyName("path")] public string Path { get; set; } = "";

        [JsonPropertyName("protocol")] public string Protocol { get; set; } = "";
        [JsonPropertyName("sourceIp")] public string SourceIp { get; set; } = "";
        [JsonPropertyName("userAgent")] public string UserAgent { get; set; } = "";
    }

    /// <summary>Holds the block of whichever authorizer the route uses; the others are absent.</summary>
    public sealed class AuthorizerDescription
    {
        [JsonPropertyName("jwt")] public JwtDescription? Jwt { get; set; }

        /// <summary>The <c>context</c> object a Lambda authorizer returned, as sent.</summary>
        [JsonPropertyName("lambda")] public Dictionary<string, JsonElement>? Lambda { get; set; }

        [JsonPropertyName("iam")] public IAMDescription? IAM { get; set; }

        public sealed class JwtDescription
        {
            /// <summary>
            /// Every value arrives as a string: numbers (<c>"exp": "1715680600"</c>), booleans
            /// (<c>"email_verified": "true"</c>) and arrays, bracketed and space-separated (<c>"[admin editor]"</c>).
            /// </summary>
            [JsonPropertyName("claims")] public Dictionary<string, string> Claims { get; set; } = [];

            /// <summary>The token's <c>scope</c> claim split into items; null for a token without scopes, such as an ID token.</summary>
            [JsonPropertyName("scopes")] public string[]? Scopes { get; set; }
        }

        public sealed class IAMDescription
        {
            [JsonPropertyName("accessKey")] public string? AccessKey { get; set; }
            [JsonPropertyName("accountId")] public string? AccountId { get; set; }
            [JsonPropertyName("callerId")] public string? CallerId { get; set; }
            [JsonPropertyName("cognitoIdentity")] public CognitoIdentityDescription? CognitoIdentity { get; set; }
            [JsonPropertyName("principalOrgId")] public string? PrincipalOrgId { get; set; }
            [JsonPropertyName("userArn")] public string? UserARN { get; set; }
            [JsonPropertyName("userId")] public string? UserId { get; set; }
        }

        public sealed class CognitoIdentityDescription
        {
            [JsonPropertyName("amr")] public List<string> AMR { get; set; } = [];
            [JsonPropertyName("identityId")] public string IdentityId { get; set; } = "";
            [JsonPropertyName("identityPoolId")] public string IdentityPoolId { get; set; } = "";
        }
    }
}
