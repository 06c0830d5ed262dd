using System.Text.Json.Nodes;
using Serverless.Local.Cognito;
using Serverless.Local.Emulators;
using Serverless.Local.Gateway;
using Serverless.Local.Lambda;
using Serverless.Local.S3;
using Serverless.Local.Schedules;
using Serverless.Local.Streams;
using Serverless.Local.Template;

namespace Serverless.Local;

/// <summary>
/// The template's resources made real on the emulators, and every reference to them resolved to
/// local values: physical names and ids for <c>Ref</c>, ARNs for <c>GetAtt</c>.
/// </summary>
public sealed partial class LocalResources
{
    private readonly SamTemplate template;
    private readonly DynamoDbLocal dynamoDb;
    private readonly CognitoLocal cognito;
    private readonly S3Local s3;
    private readonly Dictionary<string, JsonNode?> refs;
    private readonly Dictionary<string, string> attributes;
    private readonly IntrinsicResolver resolver;
    private readonly Dictionary<string, PasswordPolicy> passwordPolicies = new();
    private readonly Dictionary<string, string> clientPools = new();
    private readonly Dictionary<string, IReadOnlyList<S3CorsRule>> bucketCors = new();
    private readonly Dictionary<string, string> functionNames;
    private readonly HashSet<string> reusedStreams = [];

    public LocalResources(SamTemplate template, DynamoDbLocal dynamoDb, CognitoLocal cognito, S3Local s3)
    {
        this.template = template;
        this.dynamoDb = dynamoDb;
        this.cognito = cognito;
        this.s3 = s3;
        (refs, attributes) = TemplateValues(template);
        resolver = template.Resolver(refs, attributes);
        functionNames = FunctionNames(template);
    }

    /// <summary>
    /// What <c>Ref</c> and <c>GetAtt</c> give before anything is provisioned: pseudo parameters, parameters' values, functions
    /// (by name, ARN and alias), the HTTP API, and the resources the local cloud does not emulate (<see cref="StandIn"/>).
    /// </summary>
    public static (Dictionary<string, JsonNode?> Refs, Dictionary<string, string> Attributes) TemplateValues(SamTemplate template)
    {
        var refs = template.ParameterRefs();
        var attributes = new Dictionary<string, string>();
        foreach (var (logicalId, name) in FunctionNames(template))
        {
            refs[logicalId] = name;
            var arn = $"arn:aws:lambda:{LocalAccount.Region}:{LocalAccount.AccountId}:function:{name}";
            attributes[$"{logicalId}.Arn"] = arn;
            // SAM's AutoPublishAlias adds Fn.Alias and Fn.Version. Locally every invocation runs the one code there is, so
            // both are the alias's ARN, which the local Lambda service takes as a qualifier of the function.
            if (template.FunctionProperties(logicalId)["AutoPublishAlias"] is { } alias)
                refs[$"{logicalId}.Alias"] = refs[$"{logicalId}.Version"] = $"{arn}:{template.Resolver(refs, attributes)
                    .ResolveString(alias)}";
        }
        foreach (var (logicalId, _) in template.ResourcesOfType("AWS::Serverless::HttpApi")) refs[logicalId] = "local";
        var resolver = template.Resolver(refs, attributes);
        foreach (var (logicalId, resource) in template.Resources)
        {
            if (!template.Exists(resource) || StandIn(resource!["Type"]!.GetValue<string>(), logicalId,
                    resource["Properties"]?.AsObject() ?? [], resolver) is not var (value, values)) continue;
            refs[logicalId] = value;
            foreach (var (attribute, text) in values) attributes[$"{logicalId}.{attribute}"] = text;
        }
        return (refs, attributes);
    }

    /// <summary>
    /// The <c>Ref</c> and attributes of a resource the local cloud does not emulate, as AWS would give them (named by its name
    /// property, else <c>{stack}-{logicalId}</c> where AWS would add a suffix), so that what names it still resolves; null
    /// for a type the local cloud provisions. An SQS queue only takes on-failure records, which are written to
    /// .local/failures/ instead; a SageMaker endpoint is the local model server (<see cref="ModelEndpointNames"/>).
    /// </summary>
    private static (JsonNode Ref, Dictionary<string, string> Attributes)? StandIn(string type, string logicalId, JsonObject properties,
        IntrinsicResolver resolver)
    {
        var (region, account) = (LocalAccount.Region, LocalAccount.AccountId);
        string Name(string property) =>
            properties[property] is { } given ? resolver.ResolveString(given) : $"{LocalCloud.StackName}-{logicalId}";
        string SageMaker(string kind, string property, out string name) =>
            $"arn:aws:sagemaker:{region}:{account}:{kind}/{(name = Name(property)).ToLowerInvariant()}";
        switch (type)
        {
            case "AWS::SQS::Queue":
                var queue = Name("QueueName");
                var url = $"https://sqs.{region}.amazonaws.com/{account}/{queue}";
                return (url, new() { ["Arn"] = $"arn:aws:sqs:{region}:{account}:{queue}", ["QueueName"] = queue, ["QueueUrl"] = url });
            case "AWS::Logs::LogGroup":
                var logGroup = Name("LogGroupName");
                return (logGroup, new() { ["Arn"] = $"arn:aws:logs:{region}:{account}:log-group:{logGroup}:*" });
            case "AWS::SNS::Topic":
                var topic = Name("TopicName");
                var topicArn = $"arn:aws:sns:{region}:{account}:{topic}";
                return (topicArn, new() { ["TopicArn"] = topicArn, ["TopicName"] = topic });
            case "AWS::CloudWatch::Alarm":
                var alarm = Name("AlarmName");
                return (alarm, new() { ["Arn"] = $"arn:aws:cloudwatch:{region}:{account}:alarm:{alarm}" });
            case "AWS::CloudWatch::Dashboard":
                return (Name("DashboardName"), []);
            case "AWS::IAM::Role":
                var role = Name("RoleName");
                return (role, new()
                {
                    ["Arn"] = $"arn:aws:iam::{account}:role/{role}", ["RoleId"] = $"AROA{logicalId.ToUpperInvariant()}",
                });
            // SageMaker's Ref is the ARN, whose name part SageMaker writes in lower case.
            case "AWS::SageMaker::Model":
                return (SageMaker("model", "ModelName", out var model), new() { ["ModelName"] = model });
            case "AWS::SageMaker::EndpointConfig":
                return (SageMaker("endpoint-config", "EndpointConfigName", out var config), new() { ["EndpointConfigName"] = config });
            case "AWS::SageMaker::Endpoint":
                return (SageMaker("endpoint", "EndpointName", out var endpoint), new() { ["EndpointName"] = endpoint });
            case "AWS::DynamoDB::Table" or "AWS::S3::Bucket" or "AWS::Cognito::UserPool" or "AWS::Cognito::UserPoolClient"
                or "AWS::Serverless::Function" or "AWS::Serverless::HttpApi":
                return null;
            default: // SNS subscriptions, bucket policies, Lambda permissions...: nothing reads more than their Ref
                return ($"{LocalCloud.StackName}-{logicalId}", []);
        }
    }

    /// <summary>
    /// The SageMaker endpoints the functions may invoke, which the local model server serves: those the template creates, and
    /// the <c>ModelEndpointName</c> parameter's value when it names one of its own.
    /// </summary>
    public static IReadOnlyList<string> ModelEndpointNames(SamTemplate template)
    {
        var (_, attributes) = TemplateValues(template);
        var names = template.ResourcesOfType("AWS::SageMaker::Endpoint")
            .Select(endpoint => attributes[$"{endpoint.LogicalId}.EndpointName"]).ToList();
        if (template.ParameterRefs().GetValueOrDefault("ModelEndpointName")?.ToString() is { Length: > 0 } named) names.Add(named);
        return names;
    }

    /// <summary>
    /// Each function's name by logical id: its <c>FunctionName</c> resolved (from parameters and pseudo parameters), else
    /// the logical id (where AWS would generate <c>{stack}-{logicalId}-{suffix}</c>). Functions are registered, invoked and
    /// named in ARNs by it.
    /// </summary>
    public static Dictionary<string, string> FunctionNames(SamTemplate template)
    {
        var resolver = template.Resolver(template.ParameterRefs(), new Dictionary<string, string>());
        return template.ResourcesOfType("AWS::Serverless::Function").ToDictionary(
            function => function.LogicalId,
            function => FunctionDefinitions.NameOf(function.LogicalId, function.Properties, resolver));
    }

    /// <summary>Creates the tables, the buckets, then the user pools (their triggers name functions), then their clients.</summary>
    public async Task ProvisionAsync(Action<string> log, CancellationToken cancellationToken)
    {
        await CreateTablesAsync(log, cancellationToken);
        await CreateBucketsAsync(log, cancellationToken);
        await CreateUserPoolsAsync(log, cancellationToken);
    }

    /// <summary>The password policy of a pool the template defines.</summary>
    public PasswordPolicy? PasswordPolicyOf(string poolId) => passwordPolicies.GetValueOrDefault(poolId);

    /// <summary>The pool of an app client the template defines.</summary>
    public string? PoolOf(string clientId) => clientPools.GetValueOrDefault(clientId);

    /// <summary>Every function with its template environment resolved, plus what Lambda and the local cloud add.</summary>
    public IEnumerable<FunctionDefinition> Functions(IReadOnlyDictionary<string, string> packages, string lambdaEndpoint,
        string cognitoEndpoint,
        string sageMakerRuntimeEndpoint, string s3Endpoint)
    {
        var endpoints = new Dictionary<string, string>
        {
            ["DYNAMODB"] = dynamoDb.Endpoint,
            ["COGNITO_IDENTITY_PROVIDER"] = cognitoEndpoint,
            ["LAMBDA"] = lambdaEndpoint,
            ["SAGEMAKER_RUNTIME"] = sageMakerRuntimeEndpoint,
            ["S3"] = s3Endpoint,
        };
        foreach (var (logicalId, _) in template.ResourcesOfType("AWS::Serverless::Function"))
            yield return FunctionDefinitions.Define(template, resolver, logicalId,
                packages[template.FunctionProperties(logicalId)["CodeUri"]!.GetValue<string>()], endpoints);
    }

    /// <summary>
    /// The event source mappings of the functions' <c>DynamoDB</c> events (call after <see cref="ProvisionAsync"/>). A mapping
    /// on a reused table's stream goes on from <c>LATEST</c>, as a mapping on AWS goes on from where it was, rather than
    /// delivering the earlier records again (records written but not delivered before the restart are not delivered).
    /// </summary>
    public IReadOnlyList<StreamEventSource> StreamEventSources() => template.FunctionEvents("DynamoDB")
        .Select(trigger => StreamEventSource.From(functionNames[trigger.LogicalId], attributes[$"{trigger.LogicalId}.Arn"],
            resolver.Resolve(trigger.Properties)!.AsObject()))
        .Select(source => reusedStreams.Contains(source.StreamArn) ? source with { StartingPosition = "LATEST" } : source)
        .ToList();

    /// <summary>The rules of the functions' <c>Schedule</c> and <c>ScheduleV2</c> events that are enabled, made at
    /// <paramref name="now"/>.</summary>
    public IReadOnlyList<ScheduleRule> Schedules(DateTimeOffset now) => new[] { "Schedule", "ScheduleV2" }
        .SelectMany(type => template.FunctionEvents(type).Select(trigger =>
            ScheduleRule.From(functionNames[trigger.LogicalId], trigger.LogicalId,
            trigger.EventName, type, resolver.Resolve(trigger.Properties)!.AsObject(), now)))
        .OfType<ScheduleRule>()
        .ToList();

    /// <summary>The S3 notifications from the functions' <c>S3</c> events.</summary>
    public IReadOnlyList<S3Subscription> S3Subscriptions() => S3Subscription.FromTemplate(template, resolver, functionNames);

    /// <summary>The HTTP API's routes from the functions' <c>HttpApi</c> events.</summary>
    public IReadOnlyList<HttpApiRoute> Routes()
    {
        var api = template.ResourcesOfType("AWS::Serverless::HttpApi").Select(pair => pair.Properties).FirstOrDefault();
        var defaultAuthorizer = api?["Auth"]?["DefaultAuthorizer"]?.GetValue<string>();
        return template.FunctionEvents("HttpApi")
            .Select(trigger => HttpApiRoute.From(trigger.Properties, functionNames[trigger.LogicalId], defaultAuthorizer))
            .ToList();
    }

    /// <summary>
    /// The HTTP API's JWT authorizers. An issuer naming a Cognito user pool of the template
    /// (<c>https://cognito-idp.{region}.amazonaws.com/{poolId}</c>) is the Cognito emulator's issuer for that pool.
    /// </summary>
    public IReadOnlyDictionary<string, JwtAuthorizer> Authorizers()
    {
        var api = template.ResourcesOfType("AWS::Serverless::HttpApi").Select(pair => pair.Properties).FirstOrDefault();
        var authorizers = new Dictionary<string, JwtAuthorizer>();
        foreach (var (name, definition) in api?["Auth"]?["Authorizers"]?.AsObject() ?? [])
        {
            var configuration = resolver.Resolve(definition?["JwtConfiguration"])!;
            var issuer = configuration["issuer"]!.GetValue<string>();
            var audiences = configuration["audience"]!.AsArray().Select(audience => audience!.GetValue<string>()).ToList();
            var cognitoPrefix = $"https://cognito-idp.{LocalAccount.Region}.amazonaws.com/";
            Uri? jwks = null;
            if (issuer.StartsWith(cognitoPrefix, StringComparison.Ordinal))
            {
                var poolId = issuer[cognitoPrefix.Length..];
                issuer = cognito.Issuer(poolId);
                jwks = new Uri(cognito.JwksUri(poolId));
            }
            authorizers[name] = new JwtAuthorizer(issuer, audiences, new HttpClient(), TimeProvider.System, jwks);
        }
        return authorizers;
    }

    public CorsConfiguration? Cors()
    {
        var api = template.ResourcesOfType("AWS::Serverless::HttpApi").Select(pair => pair.Properties).FirstOrDefault();
        if (resolver.Resolve(api?["CorsConfiguration"]) is not { } cors) return null;
        if (cors is JsonValue allowAll && allowAll.GetValue<bool>()) return new CorsConfiguration(["*"], ["*"], ["*"], [], false, null);
        IReadOnlyList<string> List(string key) => cors[key] switch
        {
            JsonArray array => array.Select(item => item!.ToString()).ToList(),
            JsonValue value => value.ToString().Split(','),
            _ => [],
        };
        return new CorsConfiguration(List("AllowOrigins"), List("AllowHeaders"), List("AllowMethods"), List("ExposeHeaders"),
            cors["AllowCredentials"]?.GetValue<bool>() ?? false, cors["MaxAge"]?.GetValue<int>());
    }

    /// <summary>The template's Outputs that are in the stack (their <c>Condition</c> holds), resolved.</summary>
    public Dictionary<string, string> Outputs() => template.Outputs.Where(output => template.Exists(output.Value)).ToDictionary(
        output => output.Key, output => resolver.ResolveString(output.Value?["Value"]));
}
