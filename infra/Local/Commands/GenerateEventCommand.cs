using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Local.Gateway;
using Serverless.Local.Schedules;
using Serverless.Local.Template;

namespace Serverless.Local.Commands;

/// <summary>
/// <c>generate-event &lt;service&gt; &lt;event&gt; [options]</c>, as <c>sam local generate-event</c>: writes an AWS-shaped sample event
/// with the values given to stdout (redirect it into <c>events/{LogicalId}/</c>).
/// </summary>
public static class GenerateEventCommand
{
    public const string Usage = """
        generate-event s3 put [--bucket B] [--key K] [--size N]
        generate-event dynamodb update [--table T] [--pk PK] [--sk SK] [--old-image '{"a":{"S":"x"}}'] [--new-image '{...}']
        generate-event apigateway http-api-proxy [--method GET] [--path /me] [--body '{...}'] [--sub <user sub>]
        generate-event cognito post-confirmation [--sub S] [--email E] [--user-pool-id P] [--client-id C]
        generate-event cloudwatch scheduled-event [--rule-arn ARN]
        """;

    private static readonly string[] OptionNames =
        ["--bucket", "--key", "--size", "--table", "--pk", "--sk", "--old-image", "--new-image", "--method", "--path", "--body", "--sub",
         "--email", "--user-pool-id", "--client-id", "--region", "--rule-arn"];

    public static int Run(LocalCloudOptions options, string[] args, TextWriter stdout, TimeProvider time)
    {
        var line = CommandLine.Parse(args, OptionNames.ToDictionary(name => name));
        string Option(string name, string fallback) => line.Option(name) ?? fallback;
        var region = Option("--region", "us-east-1");
        var now = time.GetUtcNow();
        var sub = line.Option("--sub");
        JsonObject sample = line.Words switch
        {
            ["s3", "put"] => SampleEvents.S3Put(Option("--bucket", "amzn-s3-demo-bucket"), Option("--key", "uploads/example.csv"),
                long.Parse(Option("--size", "1024"), CultureInfo.InvariantCulture), region, now),
            ["dynamodb", "update"] => SampleEvents.DynamoDbUpdate(Option("--table", "Table"),
                Option("--pk", "USER#11111111-2222-3333-4444-555555555555"),
                Option("--sk", "PROFILE"), Attributes(line.Option("--old-image"), "--old-image"),
                    Attributes(line.Option("--new-image"), "--new-image"), region, now),
            ["apigateway", "http-api-proxy"] => HttpApiProxy(options, line, region, now),
            ["cognito", "post-confirmation"] => SampleEvents.CognitoPostConfirmation(sub ?? Guid.NewGuid().ToString(),
                Option("--email", "user@example.com"), Option("--user-pool-id", $"{region}_EXAMPLE"),
                    Option("--client-id", "4example0client0id0abcdefg"), region),
            ["cloudwatch", "scheduled-event"] => ScheduleRule.ScheduledEvent(
                Option("--rule-arn", $"arn:aws:events:{region}:{SampleEvents.AccountId}:rule/my-schedule"), now),
            _ => throw new UsageException($"No such sample event: {string.Join(' ', line.Words)}."),
        };
        // Relaxed escaping: a form-encoded key keeps its '+' readable, as AWS sends it.
        stdout.WriteLine(sample.ToJsonString(new JsonSerializerOptions { WriteIndented = true,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        return 0;
    }

    /// <summary>The route key and path parameters are those of the template's route the method and path match.</summary>
    private static JsonObject HttpApiProxy(LocalCloudOptions options, CommandLine line, string region, DateTimeOffset now)
    {
        var method = (line.Option("--method") ?? "GET").ToUpperInvariant();
        var path = line.Option("--path") ?? "/";
        var decodedPath = System.Net.WebUtility.UrlDecode(path.Split('?')[0]);
        var routes = TemplateRoutes(SamTemplate.Load(options.TemplatePath))
            .OrderByDescending(route => route.Specificity);
        var routeKey = "$default";
        var parameters = new Dictionary<string, string>();
        foreach (var route in routes)
        {
            if (!route.TryMatch(method, decodedPath, out var matched)) continue;
            routeKey = route.RouteKey;
            parameters = matched;
            break;
        }
        return SampleEvents.HttpApiProxy(method, path, routeKey, parameters, line.Option("--body"), line.Option("--sub"), region, now);
    }

    private static IEnumerable<HttpApiRoute> TemplateRoutes(SamTemplate template) =>
        template.FunctionEvents("HttpApi").Select(trigger =>
            HttpApiRoute.From(trigger.Properties, trigger.LogicalId, defaultAuthorizer: null));

    private static JsonObject Attributes(string? json, string option)
    {
        if (json is null) return [];
        return JsonNode.Parse(json) as JsonObject
            ?? throw new UsageException($"{option} takes DynamoDB JSON attributes, e.g. '{{\"status\":{{\"S\":\"COMPLETED\"}}}}'.");
    }
}
