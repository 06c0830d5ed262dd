using System.Text.Json.Serialization;

namespace Serverless.Kernel.Events;

/// <summary>
/// A Lambda function's answer to an HTTP API in payload format 2.0, which has no <c>multiValueHeaders</c>.
/// Names follow the official <c>Amazon.Lambda.APIGatewayEvents.APIGatewayHttpApiV2ProxyResponse</c>.
/// </summary>
public sealed class APIGatewayHttpApiV2ProxyResponse
{
    [JsonPropertyName("statusCode")] public int StatusCode { get; set; }

    /// <summary>Several values for one header go comma-separated into one entry.</summary>
    [JsonPropertyName("headers")] public Dictionary<string, string>? Headers { get; set; }

    /// <summary>Each item becomes its own <c>Set-Cookie</c> header.</summary>
    [JsonPropertyName("cookies")] public string[]? Cookies { get; set; }

    [JsonPropertyName("body")] public string? Body { get; set; }
    [JsonPropertyName("isBase64Encoded")] public bool IsBase64Encoded { get; set; }
}
