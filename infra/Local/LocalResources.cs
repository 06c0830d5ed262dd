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
    private readonly Dictionary<string, string> attributes = new();
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
        refs = TemplateRefs(template);
        resolver = new IntrinsicResolver(refs, attributes);
        // A function's Ref is its name.
        functionNames = template.ResourcesOfType("AWS::Serverless::Function")
            .ToDictionary(function => function.LogicalId, function => refs[function.LogicalId]!.GetValue<string>());
        foreach (var (logicalId, name) in functionNames)
            attributes[$"{logicalId}.Arn"] = $"arn:aws:lambda:{LocalAccount.Region}:{LocalAccount.AccountId}:function:{name}";
        foreach (var (logicalId, properties) in template.ResourcesOfType("AWS::SQS::Queue"))
        {
            // Only an on-failure destination here: nothing is sent to it (failures are written to .local/failures/).
            var name = properties["QueueName"] is { } given ? resolver.ResolveString(given) : $"{LocalCloud.StackName}-{logicalId}";
            refs[logicalId] = $"https://sqs.{LocalAccount.Region}.amazonaws.com/{LocalAccount.AccountId}/{name}";
            attributes[$"{logicalId}.Arn"] = $"arn:aws:sqs:{LocalAccount.Region}:{LocalAccount.AccountId}:{name}";
            attributes[$"{logicalId}.QueueName"] = name;
            attributes[$"{logicalId}.QueueUrl"] = refs[logicalId]!.ToString();
        }
    }

    /// <summary>What <c>Ref</c> gives before anything is provisioned: pseudo parameters, parameters' defaults, functions
    /// (by name) and the HTTP API.</summary>
    public static Dictionary<string, JsonNode?> TemplateRefs(SamTemplate template)
    {
        var refs = ParameterRefs(template);
        foreach (var (logicalId, name) in FunctionNames(template)) refs[logicalId] = name;
        foreach (var (logicalId, _) in template.ResourcesOfType("AWS::Serverless::HttpApi")) refs[logicalId] = "local";
        return refs;
    }

    /// <summary>The pseudo parameters and the template's parameters at their defaults.</summary>
    private static Dictionary<string, JsonNode?> ParameterRefs(SamTemplate template)
    {
        var refs = new Dictionary<string, JsonNode?>
        {
            ["AWS::Region"] = LocalAccount.Region,
            ["AWS::AccountId"] = LocalAccount.AccountId,
            ["AWS::StackName"] = LocalCloud.StackName,
            ["AWS::Partition"] = "aws",
            ["AWS::URLSuffix"] = "amazonaws.com",
        };
        foreach (var (name, parameter) in template.Parameters)
        {
            var value = parameter?["Default"]?.ToString() ?? "";
            refs[name] = parameter?["Type"]?.GetValue<string>() == "CommaDelimitedList"
                ? new JsonArray(value.Split(',').Select(item => (JsonNode?)item.Trim()).ToArray())
                : value;
        }
        return refs;
    }

    /// <summary>
    /// Each function's name by logical id: its <c>FunctionName</c> resolved (from parameters and pseudo parameters), else
    /// the logical id (where AWS would generate <c>{stack}-{logicalId}-{suffix}</c>). Functions are registered, invoked and
    /// named in ARNs by it.
    /// </summary>
    public static Dictionary<string, string> FunctionNames(SamTemplate template)
    {
        var resolver = new IntrinsicResolver(ParameterRefs(template), new Dictionary<string, string>());
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

    /// <summary>The template's Outputs, resolved.</summary>
    public Dictionary<string, string> Outputs() => template.Outputs.ToDictionary(
        output => output.Key, output => resolver.ResolveString(output.Value?["Value"]));
}
