using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Serverless.Local.Template;

namespace Serverless.Local.Tests.Template;

/// <summary>
/// template.yaml's Monitoring section holds for every function and failure path: a log group of its own kept
/// <c>LogRetentionInDays</c>, an errors alarm on the live alias that rolls a deploy back, alarms that all notify the
/// encrypted alarm topic, a dashboard whose JSON names only metrics that exist and HTTP API access logs in JSON.
/// </summary>
public sealed partial class MonitoringTests(TemplateInvariantsFixture fixture) : IClassFixture<TemplateInvariantsFixture>
{
    /// <summary>CloudWatch Logs' retention values (PutRetentionPolicy, "Possible values").</summary>
    private static readonly int[] RetentionDays =
        [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

    /// <summary>
    /// The AWS metrics the alarms and the dashboard may name, with their dimensions, as each service documents them: Lambda
    /// ("Types of metrics for Lambda functions"), API Gateway for HTTP APIs ("CloudWatch metrics for HTTP APIs"), SageMaker
    /// serverless endpoints ("the metrics below are an exhaustive list"), DynamoDB and SQS.
    /// </summary>
    private static readonly Dictionary<string, (HashSet<string> Metrics, HashSet<string> Dimensions)> AwsMetrics = new()
    {
        ["AWS/Lambda"] = (["Invocations", "Errors", "Throttles", "Duration", "IteratorAge", "ConcurrentExecutions"],
            ["FunctionName", "Resource", "ExecutedVersion"]),
        ["AWS/ApiGateway"] = (["Count", "4xx", "5xx", "Latency", "IntegrationLatency", "DataProcessed"],
            ["ApiId", "Stage", "Method", "Resource"]),
        ["AWS/SageMaker"] = (["Invocations", "Invocation4XXErrors", "Invocation5XXErrors", "ModelLatency", "OverheadLatency",
            "ModelSetupTime"], ["EndpointName", "VariantName"]),
        ["AWS/DynamoDB"] = (["ReadThrottleEvents", "WriteThrottleEvents", "ThrottledRequests", "SystemErrors", "UserErrors"],
            ["TableName", "GlobalSecondaryIndexName", "Operation"]),
        ["AWS/SQS"] = (["ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage"], ["QueueName"]),
    };

    /// <summary>The <c>$context</c> variables API Gateway documents for HTTP API access logs ("Customize HTTP API access
    /// logs"); a name ending in '.' stands for the properties under it.</summary>
    private static readonly HashSet<string> AccessLogVariables =
    [
        "accountId", "apiId", "authorizer.claims.", "authorizer.error", "authorizer.principalId", "awsEndpointRequestId",
        "awsEndpointRequestId2", "customDomain.basePathMatched", "dataProcessed", "domainName", "domainPrefix", "error.message",
        "error.messageString", "error.responseType", "extendedRequestId", "httpMethod", "identity.accountId", "identity.caller",
        "identity.sourceIp", "identity.user", "identity.userAgent", "identity.userArn", "integration.error",
        "integration.integrationStatus", "integration.latency", "integration.requestId", "integration.status",
        "integrationErrorMessage", "integrationLatency", "integrationStatus", "path", "protocol", "requestId", "requestTime",
        "requestTimeEpoch", "responseLatency", "responseLength", "routeKey", "stage", "status",
    ];

    private SamTemplate Template => fixture.Sources.Template;

    private JsonObject Resource(string logicalId) =>
        Template.Resources[logicalId] as JsonObject ?? throw new KeyNotFoundException($"template.yaml has no resource {logicalId}");

    private IEnumerable<(string LogicalId, JsonObject Properties)> Alarms => Template.ResourcesOfType("AWS::CloudWatch::Alarm");

    private static string RefTarget(JsonNode? node) =>
        node?["Ref"]?.GetValue<string>() ?? throw new InvalidDataException($"expected a Ref, got {node?.ToJsonString() ?? "nothing"}");

    // ---------- logs ----------

    [Theory]
    [MemberData(nameof(TemplateInvariantsFixture.Functions), MemberType = typeof(TemplateInvariantsFixture))]
    public void Every_function_logs_JSON_to_a_group_of_its_own_kept_LogRetentionInDays(string function)
    {
        var logging = Template.FunctionProperties(function)["LoggingConfig"]!;
        var group = RefTarget(logging["LogGroup"]);

        Assert.Equal("JSON", logging["LogFormat"]!.GetValue<string>());
        Assert.Equal("AWS::Logs::LogGroup", Resource(group)["Type"]!.GetValue<string>());
        Assert.Equal("LogRetentionInDays", RefTarget(Resource(group)["Properties"]!["RetentionInDays"]));
        var sharing = fixture.Sources.Functions.Where(other => other != function
            && Template.FunctionProperties(other)["LoggingConfig"]?["LogGroup"]?.ToJsonString() == logging["LogGroup"]!.ToJsonString());
        Assert.Empty(sharing);
    }

    [Fact]
    public void Every_log_group_is_kept_LogRetentionInDays_which_takes_only_the_values_CloudWatch_accepts()
    {
        var parameter = Template.Parameters["LogRetentionInDays"]!;

        Assert.Equal(RetentionDays, parameter["AllowedValues"]!.AsArray().Select(value => value!.GetValue<int>()));
        Assert.Contains(parameter["Default"]!.GetValue<int>(), RetentionDays);
        Assert.All(Template.ResourcesOfType("AWS::Logs::LogGroup"), group =>
            Assert.Equal("LogRetentionInDays", RefTarget(group.Properties["RetentionInDays"])));
    }

    [Fact]
    public void The_HTTP_API_writes_JSON_access_logs_naming_only_variables_HTTP_APIs_document()
    {
        var settings = Template.ResourcesOfType("AWS::Serverless::HttpApi").Single().Properties["AccessLogSettings"]!;
        var format = settings["Format"]!.GetValue<string>();
        var fields = JsonNode.Parse(format)!.AsObject();
        var variables = ContextVariable().Matches(format).Select(match => match.Groups[1].Value).ToList();

        Assert.Equal(["HttpApiAccessLogs", "Arn"], settings["DestinationArn"]!["Fn::GetAtt"]!.AsArray().Select(part =>
            part!.GetValue<string>()));
        Assert.Equal("AWS::Logs::LogGroup", Resource("HttpApiAccessLogs")["Type"]!.GetValue<string>());
        Assert.All(fields, field => Assert.Matches(@"^\$context\.[A-Za-z0-9.]+$", field.Value!.GetValue<string>()));
        Assert.Equal(fields.Count, variables.Count);
        Assert.All(variables, variable => Assert.True(AccessLogVariables.Contains(variable)
            || AccessLogVariables.Any(prefix => prefix.EndsWith('.') && variable.StartsWith(prefix, StringComparison.Ordinal)),
            $"$context.{variable} is not a documented HTTP API access log variable"));
        Assert.Subset(variables.ToHashSet(), new HashSet<string> { "requestId", "identity.sourceIp", "requestTime", "httpMethod",
            "routeKey", "status", "protocol", "responseLength", "integrationLatency", "responseLatency", "authorizer.error" });
    }

    // ---------- alarms ----------

    [Theory]
    [MemberData(nameof(TemplateInvariantsFixture.Functions), MemberType = typeof(TemplateInvariantsFixture))]
    public void Every_function_has_an_errors_alarm_on_its_live_alias_that_its_deploys_roll_back_on(string function)
    {
        var properties = Template.FunctionProperties(function);
        var alias = properties["AutoPublishAlias"]?.GetValue<string>();
        Assert.True(alias is not null, $"{function} has no AutoPublishAlias, which a DeploymentPreference needs");

        var rollbackAlarms = properties["DeploymentPreference"]!["Alarms"]!.AsArray().Select(RefTarget).ToList();
        var errors = rollbackAlarms.Where(alarm => IsLambdaAlarm(alarm, "Errors", function)).ToList();

        var alarm = Assert.Single(errors);
        var dimensions = Dimensions(Resource(alarm)["Properties"]!);
        Assert.Equal($"${{{function}}}:{alias}", dimensions["Resource"]!["Fn::Sub"]!.GetValue<string>());
        Assert.Equal("notBreaching", Resource(alarm)["Properties"]!["TreatMissingData"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(TemplateInvariantsFixture.Functions), MemberType = typeof(TemplateInvariantsFixture))]
    public void Every_function_has_a_throttles_alarm(string function) =>
        Assert.Single(Alarms, alarm => IsLambdaAlarm(alarm.LogicalId, "Throttles", function));

    [Fact]
    public void Every_alarm_notifies_the_alarm_topic_when_it_fires_and_when_it_clears_and_says_what_missing_data_means()
    {
        Assert.NotEmpty(Alarms);
        Assert.All(Alarms, alarm =>
        {
            Assert.Equal("AlarmTopic", RefTarget(Assert.Single(alarm.Properties["AlarmActions"]!.AsArray())));
            Assert.Equal("AlarmTopic", RefTarget(Assert.Single(alarm.Properties["OKActions"]!.AsArray())));
            Assert.NotNull(alarm.Properties["TreatMissingData"]);
            Assert.NotNull(alarm.Properties["AlarmDescription"]);
        });
        Assert.Equal("AWS::SNS::Topic", Resource("AlarmTopic")["Type"]!.GetValue<string>());
    }

    [Fact]
    public void The_alarm_topic_is_encrypted_with_a_key_CloudWatch_may_use_from_this_account_only()
    {
        var key = RefTarget(Resource("AlarmTopic")["Properties"]!["KmsMasterKeyId"]);
        var statements = Resource(key)["Properties"]!["KeyPolicy"]!["Statement"]!.AsArray();

        Assert.Equal("AWS::KMS::Key", Resource(key)["Type"]!.GetValue<string>());
        Assert.True(Resource(key)["Properties"]!["EnableKeyRotation"]!.GetValue<bool>());
        var cloudWatch = Assert.Single(statements, statement =>
            statement!["Principal"]?["Service"]?.GetValue<string>() == "cloudwatch.amazonaws.com")!;
        Assert.Equal(["kms:Decrypt", "kms:GenerateDataKey*"], cloudWatch["Action"]!.AsArray().Select(action => action!.GetValue<string>()));
        Assert.Equal("AWS::AccountId", RefTarget(cloudWatch["Condition"]!["StringEquals"]!["aws:SourceAccount"]));
    }

    [Fact]
    public void The_alarm_email_is_subscribed_exactly_when_one_is_given()
    {
        var given = Template.WithParameterValues(new Dictionary<string, string> { ["AlarmEmail"] = "oncall@example.com" });

        Assert.Equal("", Template.Parameters["AlarmEmail"]!["Default"]!.GetValue<string>());
        Assert.Empty(Template.ResourcesOfType("AWS::SNS::Subscription"));
        var subscription = Assert.Single(given.ResourcesOfType("AWS::SNS::Subscription")).Properties;
        Assert.Equal("email", subscription["Protocol"]!.GetValue<string>());
        Assert.Equal("AlarmEmail", RefTarget(subscription["Endpoint"]));
        Assert.Equal("AlarmTopic", RefTarget(subscription["TopicArn"]));
    }

    [Fact]
    public void Every_failure_path_beyond_the_functions_errors_has_an_alarm()
    {
        // ProcessUpload's on-failure destination being invoked means an upload's every attempt died.
        var destination = FunctionOf(Template.FunctionProperties("ProcessUploadFunction")["EventInvokeConfig"]!["DestinationConfig"]!
            ["OnFailure"]!["Destination"]!);
        Assert.Equal("FailStrandedUploadFunction", destination);
        Assert.Contains(Alarms, alarm => IsLambdaAlarm(alarm.LogicalId, "Invocations", destination));
        Assert.Contains(Alarms, alarm => IsLambdaAlarm(alarm.LogicalId, "IteratorAge", "MeterUsageFunction"));

        // Every failure queue (the on-failure destinations of PurgeAccount and MeterUsage) has messages waiting.
        var queues = Template.ResourcesOfType("AWS::SQS::Queue").Select(queue => queue.LogicalId).ToList();
        Assert.Equal(["PurgeAccountFailures", "MeterUsageFailures"], queues);
        foreach (var queue in queues)
            Assert.Contains(Alarms, alarm => Metric(alarm.Properties) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
                && Dimensions(alarm.Properties)["QueueName"]!.ToJsonString() == $$"""{"Fn::GetAtt":["{{queue}}","QueueName"]}""");

        Assert.Contains(Alarms, alarm => Metric(alarm.Properties) == ("AWS/ApiGateway", "5xx")
            && RefTarget(Dimensions(alarm.Properties)["ApiId"]) == "HttpApi");
        Assert.Contains(Alarms, alarm => Metric(alarm.Properties) == ("AWS/ApiGateway", "Latency")
            && alarm.Properties["ExtendedStatistic"]?.GetValue<string>() == "p99");

        // The endpoint the functions invoke: its model failing, refusing (throttling included) and slowing.
        var endpoint = Template.FunctionProperties("PredictionsApiFunction")["Environment"]!["Variables"]!["MODEL_ENDPOINT_NAME"]!;
        foreach (var metric in new[] { "Invocation5XXErrors", "Invocation4XXErrors", "ModelLatency" })
            Assert.Contains(Alarms, alarm => Metric(alarm.Properties) == ("AWS/SageMaker", metric)
                && Dimensions(alarm.Properties)["EndpointName"]!.ToJsonString() == endpoint.ToJsonString()
                && Dimensions(alarm.Properties)["VariantName"]!.GetValue<string>() == "AllTraffic");

        var tableThrottles = Alarms.Where(alarm => MetricsOf(alarm.Properties).Any(metric => metric.Namespace == "AWS/DynamoDB")).ToList();
        var throttled = Assert.Single(tableThrottles).Properties;
        Assert.Equal(["ReadThrottleEvents", "WriteThrottleEvents"], MetricsOf(throttled).Select(metric => metric.Name).Distinct().Order());
        Assert.All(MetricsOf(throttled), metric => Assert.Equal("Table", RefTarget(metric.Dimensions["TableName"])));
        Assert.Single(throttled["Metrics"]!.AsArray(), query => query!["ReturnData"]!.GetValue<bool>());
    }

    [Fact]
    public void Alarms_name_only_metrics_and_dimensions_AWS_documents()
    {
        var problems = Alarms.SelectMany(alarm => MetricsOf(alarm.Properties).SelectMany(metric =>
            UndocumentedAws(metric.Namespace, metric.Name, metric.Dimensions.Select(pair => pair.Key)).Select(problem =>
                $"{alarm.LogicalId}: {problem}"))).ToList();

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    // ---------- helpers ----------

    /// <summary>The function a destination names: <c>!GetAtt Fn.Arn</c>, or its alias <c>!Ref Fn.Alias</c>.</summary>
    private static string FunctionOf(JsonNode destination) =>
        destination["Fn::GetAtt"]?[0]?.GetValue<string>() ?? RefTarget(destination).Split('.')[0];

    private bool IsLambdaAlarm(string alarm, string metric, string function) =>
        Resource(alarm)["Properties"] is JsonObject properties && Metric(properties) == ("AWS/Lambda", metric)
        && RefTarget(Dimensions(properties)["FunctionName"]) == function;

    private static (string? Namespace, string? Name) Metric(JsonNode properties) =>
        (properties["Namespace"]?.GetValue<string>(), properties["MetricName"]?.GetValue<string>());

    private static JsonObject Dimensions(JsonNode properties) => new((properties["Dimensions"]?.AsArray() ?? []).Select(dimension =>
        KeyValuePair.Create(dimension!["Name"]!.GetValue<string>(), dimension["Value"]?.DeepClone())));

    /// <summary>The metrics an alarm reads: its own, or those of its metric-math queries.</summary>
    private static IEnumerable<(string Namespace, string Name, JsonObject Dimensions)> MetricsOf(JsonObject alarm) =>
        alarm["Metrics"] is JsonArray queries
            ? queries.Select(query => query!["MetricStat"]?["Metric"]).OfType<JsonObject>().Select(metric =>
                (metric["Namespace"]!.GetValue<string>(), metric["MetricName"]!.GetValue<string>(), Dimensions(metric)))
            : [(alarm["Namespace"]!.GetValue<string>(), alarm["MetricName"]!.GetValue<string>(), Dimensions(alarm))];

    private static IEnumerable<string> UndocumentedAws(string @namespace, string name, IEnumerable<string> dimensions)
    {
        if (!AwsMetrics.TryGetValue(@namespace, out var documented))
        {
            yield return $"{@namespace} is not a namespace this stack's services publish to";
            yield break;
        }
        if (!documented.Metrics.Contains(name)) yield return $"{@namespace} has no metric {name}";
        foreach (var dimension in dimensions.Where(dimension => !documented.Dimensions.Contains(dimension)))
            yield return $"{@namespace} {name} has no dimension {dimension}";
    }

    [GeneratedRegex(@"\$context\.([A-Za-z0-9.]+)")]
    private static partial Regex ContextVariable();
}
