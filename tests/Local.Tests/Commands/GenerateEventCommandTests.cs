using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Kernel.Events;
using Serverless.Local.Commands;
using Serverless.Local.Tests.Emulators;

namespace Serverless.Local.Tests.Commands;

/// <summary>
/// <c>generate-event</c>: each sample has exactly the shape of the AWS payload fixtures the kernel is tested with
/// (tests/Kernel.Tests/Events/Payloads, events/), carries the values given, and reads back through the kernel's contracts.
/// </summary>
public sealed class GenerateEventCommandTests
{
    private static readonly LocalCloudOptions Options = new(EmulatorTestPaths.RepoRoot);
    private static readonly string Payloads = Path.Combine(EmulatorTestPaths.RepoRoot, "tests", "Kernel.Tests", "Events", "Payloads");

    [Fact]
    public void S3_put_is_shaped_as_an_S3_notification_with_the_key_form_encoded()
    {
        var sample = Generate("s3", "put", "--bucket", "files-bucket", "--key", "uploads/u1/my report+é.csv", "--size", "3221225472");

        Assert.Equal(Paths(Fixture("s3-put.json")), Paths(sample));
        var record = Assert.Single(JsonSerializer.Deserialize(sample.ToJsonString(), KernelJsonContext.Default.S3Event)!.Records);
        Assert.Equal("ObjectCreated:Put", record.EventName);
        Assert.Equal("files-bucket", record.S3.Bucket.Name);
        Assert.Equal("arn:aws:s3:::files-bucket", record.S3.Bucket.Arn);
        Assert.Equal("uploads/u1/my+report%2B%C3%A9.csv", record.S3.Object.Key);
        Assert.Equal("uploads/u1/my report+é.csv", S3Event.DecodeKey(record.S3.Object.Key));
        Assert.Equal(3221225472, record.S3.Object.Size);
    }

    [Fact]
    public void Dynamodb_update_is_a_MODIFY_stream_record_of_the_item_with_both_images()
    {
        var sample = Generate("dynamodb", "update", "--table", "serverless-local-Table", "--pk", "USER#u1", "--sk", "UPLOAD#01",
            "--old-image", """{"status":{"S":"PROCESSING"}}""", "--new-image", """{"status":{"S":"COMPLETED"},"rowsTotal":{"N":"12"}}""");

        var fixture = Fixture("dynamodb-stream.json")["Records"]!.AsArray().First(r => r!["eventName"]!.GetValue<string>() == "MODIFY")!;
        var record = sample["Records"]![0]!;
        Assert.Equal(Keys(fixture), Keys(record));
        Assert.Equal(Keys(fixture["dynamodb"]!), Keys(record["dynamodb"]!));
        var parsed = Assert.Single(JsonSerializer.Deserialize(sample.ToJsonString(), KernelJsonContext.Default.DynamoDBEvent)!.Records);
        Assert.Equal("MODIFY", parsed.EventName);
        Assert.StartsWith("arn:aws:dynamodb:us-east-1:123456789012:table/serverless-local-Table/stream/", parsed.EventSourceArn);
        Assert.Equal("USER#u1", parsed.Dynamodb.Keys["PK"].S);
        Assert.Equal("UPLOAD#01", parsed.Dynamodb.NewImage!["SK"].S);
        Assert.Equal("COMPLETED", parsed.Dynamodb.NewImage["status"].S);
        Assert.Equal("12", parsed.Dynamodb.NewImage["rowsTotal"].N);
        Assert.Equal("PROCESSING", parsed.Dynamodb.OldImage!["status"].S);
    }

    [Fact]
    public void Apigateway_http_api_proxy_matches_the_template_route_and_carries_the_callers_claims()
    {
        var sample = Generate("apigateway", "http-api-proxy", "--method", "get", "--path", "/uploads/abc?limit=5", "--sub", "u-123");

        var fixture = Fixture(Path.Combine(EmulatorTestPaths.RepoRoot, "events", "ProfileApiFunction", "get-me.json"));
        // The sample under events/ lacks x-forwarded-port, which API Gateway sends (see the kernel's apigw-v2 fixtures).
        Assert.Equal(Paths(fixture), Paths(sample).Except(["headers.x-forwarded-port", "pathParameters", "pathParameters.id",
            "queryStringParameters", "queryStringParameters.limit"]));
        var request = JsonSerializer.Deserialize(sample.ToJsonString(), KernelJsonContext.Default.APIGatewayHttpApiV2ProxyRequest)!;
        Assert.Equal("GET /uploads/{id}", request.RouteKey);
        Assert.Equal("abc", request.PathParameters!["id"]);
        Assert.Equal("/uploads/abc", request.RawPath);
        Assert.Equal("limit=5", request.RawQueryString);
        Assert.Equal("u-123", request.RequestContext.Authorizer!.Jwt!.Claims["sub"]);
        Assert.Equal("GET", request.RequestContext.Http.Method);
    }

    [Fact]
    public void Apigateway_http_api_proxy_without_sub_has_no_authorizer_and_with_a_body_a_json_body()
    {
        var sample = Generate("apigateway", "http-api-proxy", "--method", "POST", "--path", "/predictions",
            "--body", """{"texts":["great"]}""");

        var request = JsonSerializer.Deserialize(sample.ToJsonString(), KernelJsonContext.Default.APIGatewayHttpApiV2ProxyRequest)!;
        Assert.Equal("POST /predictions", request.RouteKey);
        Assert.Null(request.RequestContext.Authorizer);
        Assert.False(request.Headers!.ContainsKey("authorization"));
        Assert.Equal("""{"texts":["great"]}""", request.Body);
        Assert.False(request.IsBase64Encoded);
        Assert.Equal("application/json", request.Headers["content-type"]);
    }

    [Fact]
    public void Cognito_post_confirmation_is_shaped_as_the_trigger_with_the_users_sub_and_email()
    {
        var sample = Generate("cognito", "post-confirmation", "--sub", "u-9", "--email", "nine@example.com");

        Assert.Equal(Paths(Fixture(Path.Combine(EmulatorTestPaths.RepoRoot, "events", "CreateProfileFunction",
            "post-confirmation.json"))), Paths(sample));
        var trigger = JsonSerializer.Deserialize(sample.ToJsonString(), KernelJsonContext.Default.CognitoPostConfirmationEvent)!;
        Assert.Equal("PostConfirmation_ConfirmSignUp", trigger.TriggerSource);
        Assert.Equal("u-9", trigger.UserName);
        Assert.Equal("nine@example.com", trigger.Request.UserAttributes["email"]);
        Assert.Equal("u-9", trigger.Request.UserAttributes["sub"]);
    }

    [Fact]
    public void Cloudwatch_scheduled_event_is_EventBridges_Scheduled_Event_for_the_rule_given()
    {
        const string rule = "arn:aws:events:us-east-1:000000000000:rule/sweep";

        var sample = Generate("cloudwatch", "scheduled-event", "--rule-arn", rule);

        Assert.Equal(Paths(Fixture(Path.Combine(EmulatorTestPaths.RepoRoot, "events", "SweepStrandedUploadsFunction",
            "scheduled-event.json"))), Paths(sample));
        Assert.Equal("Scheduled Event", sample["detail-type"]!.GetValue<string>());
        Assert.Equal("aws.events", sample["source"]!.GetValue<string>());
        Assert.Equal([rule], sample["resources"]!.AsArray().Select(arn => arn!.GetValue<string>()));
    }

    [Fact]
    public void An_unknown_event_or_option_is_a_usage_error()
    {
        Assert.Throws<UsageException>(() => Generate("sqs", "receive"));
        Assert.Throws<UsageException>(() => Generate("s3", "put", "--colour", "blue"));
        Assert.Throws<UsageException>(() => Generate("s3", "put", "--bucket"));
    }

    private static JsonObject Generate(params string[] args)
    {
        using var output = new StringWriter();
        Assert.Equal(0, GenerateEventCommand.Run(Options, args, output, TimeProvider.System));
        return JsonNode.Parse(output.ToString())!.AsObject();
    }

    private static JsonObject Fixture(string name) => JsonNode.Parse(File.ReadAllText(Path.Combine(Payloads, name)))!.AsObject();

    private static IEnumerable<string> Keys(JsonNode node) => node.AsObject().Select(pair => pair.Key).Order();

    /// <summary>Every property path (array items as <c>[]</c>), sorted: the shape of a payload without its values.</summary>
    private static List<string> Paths(JsonNode node)
    {
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        void Walk(JsonNode? current, string path)
        {
            switch (current)
            {
                case JsonObject obj:
                    foreach (var (key, value) in obj)
                    {
                        var child = path.Length == 0 ? key : $"{path}.{key}";
                        paths.Add(child);
                        Walk(value, child);
                    }
                    break;
                case JsonArray array:
                    foreach (var item in array) Walk(item, path + "[]");
                    break;
            }
        }
        Walk(node, "");
        return [.. paths];
    }
}
