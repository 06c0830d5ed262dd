using System.Text.Json.Nodes;
using Serverless.Kernel.Tests.Events;

namespace Serverless.Kernel.Tests.AspNetCore;

/// <summary>API Gateway HTTP API events built from the AWS-shaped fixtures under Events/Payloads.</summary>
internal static class ApiEvent
{
    /// <summary>The signed-in <c>POST /prod/me</c> form post (JWT authorizer, cookies, repeated query keys).</summary>
    public static JsonObject SignedInFormPost() => Fixture("apigw-v2-jwt-form-post.json");

    /// <summary>A public request without authorizer or body on <paramref name="stage"/>.</summary>
    public static JsonObject Public(string method, string rawPath, string stage = "$default")
    {
        var @event = Fixture("apigw-v2-public.json");
        @event["routeKey"] = "$default";
        @event["rawPath"] = rawPath;
        var context = @event["requestContext"]!;
        context["routeKey"] = "$default";
        context["stage"] = stage;
        context["http"]!["method"] = method;
        context["http"]!["path"] = rawPath;
        return @event;
    }

    /// <summary>Adds a text body (isBase64Encoded false) with its content type.</summary>
    public static JsonObject WithTextBody(this JsonObject @event, string contentType, string body)
    {
        @event["headers"]!["content-type"] = contentType;
        @event["body"] = body;
        @event["isBase64Encoded"] = false;
        return @event;
    }

    public static JsonObject WithHeader(this JsonObject @event, string name, string value)
    {
        @event["headers"]![name] = value;
        return @event;
    }

    private static JsonObject Fixture(string name) => JsonNode.Parse(Payload.Read(name))!.AsObject();
}
