using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Kernel.Events;

namespace Serverless.Kernel.Tests.Events;

public class APIGatewayHttpApiV2ProxyTests
{
    private static APIGatewayHttpApiV2ProxyRequest Read(string payload) =>
        JsonSerializer.Deserialize(Payload.Read(payload), KernelJsonContext.Default.APIGatewayHttpApiV2ProxyRequest)!;

    [Fact]
    public void A_named_stage_prefixes_the_decoded_raw_path()
    {
        var request = Read("apigw-v2-jwt-form-post.json");

        Assert.Equal("2.0", request.Version);
        Assert.Equal("POST /me", request.RouteKey);
        Assert.Equal("prod", request.RequestContext.Stage);
        Assert.Equal("/prod/me", request.RawPath);
        Assert.Equal("/prod/me", request.RequestContext.Http.Path);
        Assert.Equal("POST", request.RequestContext.Http.Method);
        Assert.Equal("203.0.113.7", request.RequestContext.Http.SourceIp);
        Assert.Equal("HTTP/1.1", request.RequestContext.Http.Protocol);
        Assert.Equal(1715680600123, request.RequestContext.TimeEpoch);
        Assert.Equal("14/May/2024:09:56:40 +0000", request.RequestContext.Time);
    }

    [Fact]
    public void The_default_stage_adds_no_prefix()
    {
        var request = Read("apigw-v2-public.json");

        Assert.Equal("$default", request.RequestContext.Stage);
        Assert.Equal("/health", request.RawPath);
        Assert.Equal("GET /health", request.RequestContext.RouteKey);
    }

    [Fact]
    public void Repeated_query_keys_stay_apart_only_in_the_raw_query_string()
    {
        var request = Read("apigw-v2-jwt-form-post.json");

        Assert.Equal("a=1&a=2&q=caf%C3%A9", request.RawQueryString);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1,2", ["q"] = "café" }, request.QueryStringParameters);
    }

    [Fact]
    public void Cookies_come_as_an_array_and_not_as_a_header()
    {
        var request = Read("apigw-v2-jwt-form-post.json");

        Assert.NotNull(request.Cookies);
        Assert.Equal(["session=abc123", "theme=dark"], request.Cookies);
        Assert.NotNull(request.Headers);
        Assert.DoesNotContain("cookie", request.Headers.Keys);
        Assert.Equal("application/x-www-form-urlencoded", request.Headers["content-type"]);
    }

    [Fact]
    public void A_form_body_arrives_base64_encoded()
    {
        var request = Read("apigw-v2-jwt-form-post.json");

        Assert.True(request.IsBase64Encoded);
        Assert.Equal("name=Jane+Doe&city=M%C3%BCnchen", Encoding.UTF8.GetString(Convert.FromBase64String(request.Body!)));
    }

    [Fact]
    public void Jwt_claims_arrive_as_strings()
    {
        var authorizer = Read("apigw-v2-jwt-form-post.json").RequestContext.Authorizer;

        Assert.NotNull(authorizer?.Jwt);
        var claims = authorizer.Jwt.Claims;
        Assert.Equal("[admin editor]", claims["cognito:groups"]);
        Assert.Equal("1715680600", claims["exp"]);
        Assert.Equal("true", claims["email_verified"]);
        Assert.Equal("7d8ca528-4931-4254-9273-ea5ee853f271", claims["sub"]);
        Assert.Null(authorizer.Jwt.Scopes);
        Assert.Null(authorizer.Lambda);
        Assert.Null(authorizer.IAM);
    }

    [Fact]
    public void A_public_route_has_no_authorizer_block()
    {
        var request = Read("apigw-v2-public.json");

        Assert.Null(request.RequestContext.Authorizer);
        Assert.Null(request.Cookies);
        Assert.Null(request.QueryStringParameters);
        Assert.Null(request.Body);
        Assert.False(request.IsBase64Encoded);
        Assert.Equal("", request.RawQueryString);
    }

    [Fact]
    public void A_lambda_authorizer_context_arrives_as_sent()
    {
        var request = Read("apigw-v2-lambda-authorizer.json");

        var context = request.RequestContext.Authorizer?.Lambda;
        Assert.NotNull(context);
        Assert.Equal("acme", context["tenantId"].GetString());
        Assert.Null(request.RequestContext.Authorizer!.Jwt);
        Assert.Equal("o-42", request.PathParameters!["orderId"]);
        Assert.Equal("orders-prod", request.StageVariables!["table"]);
        Assert.Equal("api", request.RequestContext.DomainPrefix);
    }

    [Fact]
    public void Iam_and_client_certificate_blocks_are_read()
    {
        const string json = """
            {"version":"2.0","routeKey":"$default","rawPath":"/","rawQueryString":"","isBase64Encoded":false,
             "requestContext":{"accountId":"123456789012","apiId":"api-id","stage":"$default",
              "authentication":{"clientCert":{"clientCertPem":"CERT_CONTENT","subjectDN":"www.example.com","issuerDN":"Example issuer",
                "serialNumber":"a1:a1","validity":{"notBefore":"May 28 12:30:02 2019 GMT","notAfter":"Aug  5 09:36:04 2021 GMT"}}},
              "authorizer":{"iam":{"accessKey":"ASIAEXAMPLE","accountId":"111122223333","callerId":"AIDAEXAMPLE",
                "cognitoIdentity":{"amr":["authenticated"],"identityId":"us-east-2:abc","identityPoolId":"us-east-2:pool"},
                "principalOrgId":"o-example","userArn":"arn:aws:iam::111122223333:user/jane","userId":"AIDAEXAMPLE"}},
              "http":{"method":"GET","path":"/","protocol":"HTTP/1.1","sourceIp":"192.0.2.1","userAgent":"agent"}}}
            """;

        var context = JsonSerializer.Deserialize(json, KernelJsonContext.Default.APIGatewayHttpApiV2ProxyRequest)!.RequestContext;

        Assert.Equal("Example issuer", context.Authentication?.ClientCert?.IssuerDN);
        Assert.Equal("Aug  5 09:36:04 2021 GMT", context.Authentication!.ClientCert!.Validity.NotAfter);
        var iam = context.Authorizer?.IAM;
        Assert.NotNull(iam);
        Assert.Equal("arn:aws:iam::111122223333:user/jane", iam.UserARN);
        Assert.Equal(["authenticated"], iam.CognitoIdentity!.AMR);
        Assert.Equal("us-east-2:pool", iam.CognitoIdentity.IdentityPoolId);
    }

    [Fact]
    public void A_response_serializes_to_the_v2_shape()
    {
        var response = new APIGatewayHttpApiV2ProxyResponse
        {
            StatusCode = 201,
            Headers = new() { ["content-type"] = "application/json", ["location"] = "/prod/me" },
            Cookies = ["session=abc123; Path=/; HttpOnly; Secure", "theme=dark"],
            Body = """{"id":"me"}""",
        };

        var json = JsonSerializer.Serialize(response, KernelJsonContext.Default.APIGatewayHttpApiV2ProxyResponse);

        var expected = JsonNode.Parse("""
            {"statusCode":201,
             "headers":{"content-type":"application/json","location":"/prod/me"},
             "cookies":["session=abc123; Path=/; HttpOnly; Secure","theme=dark"],
             "body":"{\"id\":\"me\"}",
             "isBase64Encoded":false}
            """);
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(json)), json);
    }

    [Fact]
    public void A_response_leaves_out_what_is_not_set()
    {
        var json = JsonSerializer.Serialize(
            new APIGatewayHttpApiV2ProxyResponse { StatusCode = 204 }, KernelJsonContext.Default.APIGatewayHttpApiV2ProxyResponse);

        Assert.Equal("""{"statusCode":204,"isBase64Encoded":false}""", json);
    }

    [Fact]
    public void A_binary_response_keeps_its_base64_body()
    {
        var response = new APIGatewayHttpApiV2ProxyResponse
        {
            StatusCode = 200,
            Headers = new() { ["content-type"] = "image/png" },
            Body = Convert.ToBase64String([0x89, 0x50, 0x4E, 0x47]),
            IsBase64Encoded = true,
        };

        var json = JsonSerializer.Serialize(response, KernelJsonContext.Default.APIGatewayHttpApiV2ProxyResponse);

        Assert.Equal("""{"statusCode":200,"headers":{"content-type":"image/png"},"body":"iVBORw==","isBase64Encoded":true}""", json);
    }
}
