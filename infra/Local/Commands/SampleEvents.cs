using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Serverless.Local.Commands;

/// <summary>
/// AWS-shaped events with the values given, as <c>sam local generate-event</c> writes them: an S3 put notification, a
/// DynamoDB stream record, an API Gateway HTTP API (payload format 2.0) request, a Cognito PostConfirmation trigger.
/// </summary>
internal static class SampleEvents
{
    public const string AccountId = "123456789012";

    /// <summary>One <c>ObjectCreated:Put</c> record; the key is form-encoded as S3 notifications carry it (space as <c>+</c>).</summary>
    public static JsonObject S3Put(string bucket, string key, long size, string region, DateTimeOffset now) => Records(new JsonObject
    {
        ["eventVersion"] = "2.1",
        ["eventSource"] = "aws:s3",
        ["awsRegion"] = region,
        ["eventTime"] = Time(now),
        ["eventName"] = "ObjectCreated:Put",
        ["userIdentity"] = new JsonObject { ["principalId"] = "AWS:AIDAEXAMPLEPRINCIPAL" },
        ["requestParameters"] = new JsonObject { ["sourceIPAddress"] = "203.0.113.10" },
        ["responseElements"] = new JsonObject
        {
            ["x-amz-request-id"] = Hex(8).ToUpperInvariant(),
            ["x-amz-id-2"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)),
        },
        ["s3"] = new JsonObject
        {
            ["s3SchemaVersion"] = "1.0",
            ["configurationId"] = "sample-notification",
            ["bucket"] = new JsonObject
            {
                ["name"] = bucket,
                ["ownerIdentity"] = new JsonObject { ["principalId"] = "A3EXAMPLEOWNER" },
                ["arn"] = $"arn:aws:s3:::{bucket}",
            },
            ["object"] = new JsonObject
            {
                ["key"] = string.Join('/', key.Split('/').Select(WebUtility.UrlEncode)),
                ["size"] = size,
                ["eTag"] = Hex(16),
                ["sequencer"] = now.ToUnixTimeMilliseconds().ToString("X16", CultureInfo.InvariantCulture),
            },
        },
    });

    /// <summary>One <c>MODIFY</c> stream record (NEW_AND_OLD_IMAGES) of the item <c>PK</c>/<c>SK</c>; the images are the keys plus
    /// the attributes given in DynamoDB JSON.</summary>
    public static JsonObject DynamoDbUpdate(
        string table, string pk, string sk, JsonObject oldAttributes, JsonObject newAttributes, string region, DateTimeOffset now)
    {
        JsonObject Keys() => new() { ["PK"] = new JsonObject { ["S"] = pk }, ["SK"] = new JsonObject { ["S"] = sk } };
        JsonObject Image(JsonObject attributes)
        {
            var image = Keys();
            foreach (var (name, value) in attributes) image[name] = value?.DeepClone();
            return image;
        }
        var newImage = Image(newAttributes);
        var oldImage = Image(oldAttributes);
        return Records(new JsonObject
        {
            ["eventID"] = Hex(16),
            ["eventName"] = "MODIFY",
            ["eventVersion"] = "1.1",
            ["eventSource"] = "aws:dynamodb",
            ["awsRegion"] = region,
            ["dynamodb"] = new JsonObject
            {
                ["ApproximateCreationDateTime"] = now.ToUnixTimeSeconds(),
                ["Keys"] = Keys(),
                ["NewImage"] = newImage,
                ["OldImage"] = oldImage,
                ["SequenceNumber"] = $"{now.ToUnixTimeMilliseconds()}0000000000",
                ["SizeBytes"] = Encoding.UTF8.GetByteCount(newImage.ToJsonString()) + Encoding.UTF8.GetByteCount(oldImage.ToJsonString()),
                ["StreamViewType"] = "NEW_AND_OLD_IMAGES",
            },
            ["eventSourceARN"] = $"arn:aws:dynamodb:{region}:{AccountId}:table/{table}/stream/{now.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fff}",
        });
    }

    /// <summary>An HTTP API request (payload format 2.0) on the default stage; with <paramref name="sub"/>, as the JWT authorizer
    /// passes a Cognito access token's claims (all strings).</summary>
    public static JsonObject HttpApiProxy(string method, string path, string routeKey, IReadOnlyDictionary<string, string> pathParameters,
        string? body, string? sub, string region, DateTimeOffset now)
    {
        const string apiId = "abc123example";
        var domain = $"{apiId}.execute-api.{region}.amazonaws.com";
        var (rawPath, rawQuery) = path.IndexOf('?') is var question and >= 0 ? (path[..question], path[(question + 1)..]) : (path, "");
        var headers = new JsonObject
        {
            ["accept"] = "application/json",
            ["host"] = domain,
            ["user-agent"] = "curl/8.5.0",
            ["x-forwarded-for"] = "203.0.113.10",
            ["x-forwarded-port"] = "443",
            ["x-forwarded-proto"] = "https",
        };
        if (body is not null)
        {
            headers["content-length"] = Encoding.UTF8.GetByteCount(body).ToString(CultureInfo.InvariantCulture);
            headers["content-type"] = "application/json";
        }
        var context = new JsonObject
        {
            ["accountId"] = AccountId,
            ["apiId"] = apiId,
        };
        if (sub is not null)
        {
            headers["authorization"] = "Bearer eyJraWQiOiJleGFtcGxlIiwiYWxnIjoiUlMyNTYifQ.e30.c2lnbmF0dXJl";
            var issued = now.ToUnixTimeSeconds();
            context["authorizer"] = new JsonObject
            {
                ["jwt"] = new JsonObject
                {
                    ["claims"] = new JsonObject
                    {
                        ["auth_time"] = Number(issued),
                        ["client_id"] = "4example0client0id0abcdefg",
                        ["event_id"] = Guid.NewGuid().ToString(),
                        ["exp"] = Number(issued + 3600),
                        ["iat"] = Number(issued),
                        ["iss"] = $"https://cognito-idp.{region}.amazonaws.com/{region}_EXAMPLE",
                        ["jti"] = Guid.NewGuid().ToString(),
                        ["scope"] = "aws.cognito.signin.user.admin",
                        ["sub"] = sub,
                        ["token_use"] = "access",
                        ["username"] = sub,
                    },
                    ["scopes"] = new JsonArray("aws.cognito.signin.user.admin"),
                },
            };
        }
        context["domainName"] = domain;
        context["domainPrefix"] = apiId;
        context["http"] = new JsonObject
        {
            ["method"] = method,
            ["path"] = WebUtility.UrlDecode(rawPath),
            ["protocol"] = "HTTP/1.1",
            ["sourceIp"] = "203.0.113.10",
            ["userAgent"] = "curl/8.5.0",
        };
        context["requestId"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).TrimEnd('=')[..15] + "=";
        context["routeKey"] = routeKey;
        context["stage"] = "$default";
        context["time"] = now.UtcDateTime.ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture);
        context["timeEpoch"] = now.ToUnixTimeMilliseconds();
        var request = new JsonObject
        {
            ["version"] = "2.0",
            ["routeKey"] = routeKey,
            ["rawPath"] = rawPath,
            ["rawQueryString"] = rawQuery,
            ["headers"] = headers,
        };
        if (rawQuery.Length > 0) request["queryStringParameters"] = QueryParameters(rawQuery);
        request["requestContext"] = context;
        if (pathParameters.Count > 0)
            request["pathParameters"] = new JsonObject(pathParameters.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));
        if (body is not null) request["body"] = body;
        request["isBase64Encoded"] = false;
        return request;
    }

    /// <summary>A Cognito <c>PostConfirmation_ConfirmSignUp</c> trigger of a user who signed up with <paramref name="email"/>.</summary>
    public static JsonObject CognitoPostConfirmation(string sub, string email, string userPoolId, string clientId, string region) => new()
    {
        ["version"] = "1",
        ["region"] = region,
        ["userPoolId"] = userPoolId,
        ["userName"] = sub,
        ["callerContext"] = new JsonObject { ["awsSdkVersion"] = "aws-sdk-unknown-unknown", ["clientId"] = clientId },
        ["triggerSource"] = "PostConfirmation_ConfirmSignUp",
        ["request"] = new JsonObject
        {
            ["userAttributes"] = new JsonObject
            {
                ["sub"] = sub,
                ["email_verified"] = "true",
                ["cognito:user_status"] = "CONFIRMED",
                ["cognito:email_alias"] = email,
                ["email"] = email,
            },
        },
        ["response"] = new JsonObject(),
    };

    /// <summary>Repeated keys join with commas, as API Gateway does (the raw query string keeps them apart).</summary>
    private static JsonObject QueryParameters(string rawQuery)
    {
        var parameters = new JsonObject();
        foreach (var pair in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, value) = pair.IndexOf('=') is var equals and >= 0
                ? (WebUtility.UrlDecode(pair[..equals]), WebUtility.UrlDecode(pair[(equals + 1)..]))
                : (WebUtility.UrlDecode(pair), "");
            parameters[name] = parameters[name] is { } earlier ? $"{earlier},{value}" : value;
        }
        return parameters;
    }

    private static JsonObject Records(JsonObject record) => new() { ["Records"] = new JsonArray(record) };

    private static string Time(DateTimeOffset now) => now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Hex(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));
}
