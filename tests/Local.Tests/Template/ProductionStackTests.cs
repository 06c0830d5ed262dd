using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Serverless.Local.Template;
using Serverless.Local.Tests.Emulators;

namespace Serverless.Local.Tests.Template;

/// <summary>
/// The production stack's invariants, with the template's conditions evaluated for the parameter values that matter: the
/// model endpoint exists exactly when no endpoint is named, the data stores are retained and protected in prod, everything
/// that calls a function calls its live alias, and the hardening parameters do what they say.
/// </summary>
public sealed partial class ProductionStackTests
{
    private static readonly SamTemplate Template = SamTemplate.Load(Path.Combine(EmulatorTestPaths.RepoRoot, "template.yaml"));

    private static readonly string[] EndpointResources = ["ModelExecutionRole", "SentimentModel", "ModelEndpointConfig", "ModelEndpoint"];

    private static SamTemplate With(params (string Name, string Value)[] values) =>
        Template.WithParameterValues(values.ToDictionary(value => value.Name, value => value.Value));

    /// <summary>The template's values as <c>invoke</c> resolves them: the local cloud's, the data stores by logical id.</summary>
    private static IntrinsicResolver Resolver(SamTemplate template) => OfflineValues.Resolver(template);

    /// <summary>The values the local cloud knows before provisioning, in another region.</summary>
    private static IntrinsicResolver Resolver(SamTemplate template, string region)
    {
        var (refs, attributes) = LocalResources.TemplateValues(template);
        refs["AWS::Region"] = region;
        return template.Resolver(refs, attributes);
    }

    [Fact]
    public void The_model_endpoint_is_created_exactly_when_ModelEndpointName_is_empty_and_the_functions_invoke_the_one_in_use()
    {
        var created = Template;
        var named = With(("ModelEndpointName", "team-sentiment"));

        Assert.Equal("", Template.Parameters["ModelEndpointName"]!["Default"]!.GetValue<string>());
        Assert.Equal(EndpointResources, EndpointResources.Where(id => created.Exists(created.Resources[id])));
        Assert.DoesNotContain(EndpointResources, id => named.Exists(named.Resources[id]));
        Assert.Equal(EndpointResources.Order(), Template.Resources
            .Where(resource => resource.Value!["Type"]!.GetValue<string>().StartsWith("AWS::SageMaker::", StringComparison.Ordinal)
                || resource.Value["Condition"]?.GetValue<string>() == "CreateModelEndpoint")
            .Select(resource => resource.Key).Order());
        foreach (var (template, name, arn) in new[]
        {
            (created, "serverless-local-sentiment", "arn:aws:sagemaker:us-east-1:000000000000:endpoint/serverless-local-sentiment"),
            (named, "team-sentiment", "arn:aws:sagemaker:us-east-1:000000000000:endpoint/team-sentiment"),
        })
        {
            var resolver = Resolver(template);
            foreach (var function in new[] { "PredictionsApiFunction", "ProcessUploadFunction" })
            {
                var properties = resolver.Resolve(template.FunctionProperties(function))!;
                Assert.Equal(name, properties["Environment"]!["Variables"]!["MODEL_ENDPOINT_NAME"]!.GetValue<string>());
                Assert.Contains(Statements(properties), statement =>
                    statement["Action"]!.ToJsonString() == """["sagemaker:InvokeEndpoint"]""" && statement["Resource"]!.ToString() == arn);
            }
            Assert.Equal(name, resolver.ResolveString(template.Outputs["ModelEndpointName"]!["Value"]));
            Assert.Equal([name], LocalResources.ModelEndpointNames(template));
        }
    }

    [Fact]
    public void The_endpoint_runs_the_hugging_face_cpu_container_with_a_three_class_sentiment_model_on_serverless_inference()
    {
        var resolver = Resolver(Template);
        var container = resolver.Resolve(Template.Resources["SentimentModel"]!["Properties"]!["PrimaryContainer"])!;
        var variant = resolver.Resolve(Template.Resources["ModelEndpointConfig"]!["Properties"]!["ProductionVariants"])![0]!;

        Assert.Equal("763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:"
            + "2.1.0-transformers4.37.0-cpu-py310-ubuntu22.04", container["Image"]!.GetValue<string>());
        Assert.Equal("""{"HF_MODEL_ID":"cardiffnlp/twitter-roberta-base-sentiment-latest","HF_TASK":"text-classification"}""",
            container["Environment"]!.ToJsonString());
        Assert.Equal("""{"MemorySizeInMB":"3072","MaxConcurrency":"5"}""", variant["ServerlessConfig"]!.ToJsonString());
        Assert.Equal(["1024", "2048", "3072", "4096", "5120", "6144"],
            Template.Parameters["ModelMemorySize"]!["AllowedValues"]!.AsArray().Select(size => size!.ToString()));
        Assert.Equal([1, 200], new[] { "MinValue", "MaxValue" }.Select(bound =>
            Template.Parameters["ModelMaxConcurrency"]![bound]!.GetValue<int>()));
    }

    [Fact]
    public void The_image_mapping_has_a_registry_for_every_region_it_claims_and_the_role_pulls_from_that_registry_only()
    {
        var regions = Template.Mappings["HuggingFaceInferenceRegistry"]!.AsObject();

        Assert.Contains("us-east-1", regions.Select(region => region.Key));
        foreach (var (region, entry) in regions)
        {
            var account = entry!["Account"]!.GetValue<string>();
            Assert.Matches(AccountId(), account);
            var resolver = Resolver(Template, region);
            var image = resolver.ResolveString(Template.Resources["SentimentModel"]!["Properties"]!["PrimaryContainer"]!["Image"]);
            Assert.StartsWith($"{account}.dkr.ecr.{region}.amazonaws.com/huggingface-pytorch-inference:", image);
            var pull = Statements(resolver.Resolve(Template.Resources["ModelExecutionRole"]!["Properties"]!["Policies"]![0]!
                ["PolicyDocument"])!).Single(statement => statement["Action"]!.AsArray().Any(action => action!.ToString() ==
                    "ecr:BatchGetImage"));
            Assert.Equal($"arn:aws:ecr:{region}:{account}:repository/huggingface-pytorch-inference", pull["Resource"]!.ToString());
        }
    }

    [Theory]
    [InlineData("AWS::Cognito::UserPool")]
    [InlineData("AWS::DynamoDB::Table")]
    [InlineData("AWS::S3::Bucket")]
    public void Every_data_store_is_retained_and_protected_in_prod_and_deleted_with_a_dev_stack(string type)
    {
        var stores = Template.Resources.Where(resource => resource.Value!["Type"]!.GetValue<string>() == type).ToList();
        var (dev, prod) = (Resolver(With(("Environment", "dev"))), Resolver(With(("Environment", "prod"))));

        Assert.NotEmpty(stores);
        foreach (var (logicalId, store) in stores)
        {
            foreach (var policy in new[] { "DeletionPolicy", "UpdateReplacePolicy" })
            {
                Assert.True(prod.ResolveString(store![policy]) == "Retain", $"{logicalId}.{policy} in prod");
                Assert.True(dev.ResolveString(store[policy]) == "Delete", $"{logicalId}.{policy} in dev");
            }
            var protection = type switch
            {
                "AWS::Cognito::UserPool" => ("DeletionProtection", "ACTIVE", "INACTIVE"),
                "AWS::DynamoDB::Table" => ("DeletionProtectionEnabled", "true", "false"),
                _ => ((string, string, string)?)null, // S3 has no deletion protection: a non-empty bucket is never deleted
            };
            if (protection is not var (property, on, off)) continue;
            Assert.Equal(on, prod.ResolveString(store!["Properties"]![property]));
            Assert.Equal(off, dev.ResolveString(store["Properties"]![property]));
        }
    }

    [Fact]
    public void Everything_that_calls_a_function_calls_its_live_alias()
    {
        var resolver = Resolver(Template);
        var names = LocalResources.FunctionNames(Template);
        string Alias(string logicalId) => $"arn:aws:lambda:us-east-1:000000000000:function:{names[logicalId]}:live";

        Assert.Equal("live", Template.Root["Globals"]!["Function"]!["AutoPublishAlias"]!.GetValue<string>());
        Assert.Equal(Alias("CreateProfileFunction"),
            resolver.ResolveString(Template.Resources["UserPool"]!["Properties"]!["LambdaConfig"]!["PostConfirmation"]));
        foreach (var (_, permission) in Template.ResourcesOfType("AWS::Lambda::Permission"))
            Assert.Matches(":live$", resolver.ResolveString(permission["FunctionName"]));
        Assert.Equal(Alias("FailStrandedUploadFunction"), resolver.ResolveString(
            Template.FunctionProperties("ProcessUploadFunction")["EventInvokeConfig"]!["DestinationConfig"]!["OnFailure"]!["Destination"]));

        var invocations = new List<string>();
        foreach (var function in names.Keys)
        {
            var properties = resolver.Resolve(Template.FunctionProperties(function))!;
            foreach (var (variable, value) in properties["Environment"]!["Variables"]!.AsObject())
                if (names.Values.Contains(value!.ToString().Split(':')[0]))
                {
                    Assert.True(value.ToString() == $"{value.ToString().Split(':')[0]}:live", $"{function}: {variable}={value}");
                    invocations.Add($"{function} -> {value}");
                }
            foreach (var statement in Statements(properties).Where(statement =>
                statement["Action"]!.AsArray().Any(action => action!.ToString() == "lambda:InvokeFunction")))
                Assert.Matches(":live$", statement["Resource"]!.ToString());
        }
        Assert.Equal(["ProcessUploadFunction -> serverless-local-ProcessUpload:live",
                "ProfileApiFunction -> serverless-local-PurgeAccount:live", "PurgeAccountFunction -> serverless-local-PurgeAccount:live"],
            invocations.Order());
    }

    [Fact]
    public void Functions_are_traced_and_deployed_through_CodeDeploy_as_the_environment_says()
    {
        var globals = Template.Root["Globals"]!["Function"]!;

        Assert.Equal("Active", globals["Tracing"]!.GetValue<string>());
        Assert.Equal("""{"Ref":"DeploymentType"}""", globals["DeploymentPreference"]!["Type"]!.ToJsonString());
        Assert.Contains("AllAtOnce", Template.Parameters["DeploymentType"]!["AllowedValues"]!.AsArray().Select(type => type!.ToString()));
        Assert.Contains("Canary10Percent5Minutes",
            Template.Parameters["DeploymentType"]!["AllowedValues"]!.AsArray().Select(type => type!.ToString()));
    }

    [Fact]
    public void The_bucket_refuses_every_request_that_is_not_over_TLS()
    {
        var resolver = Resolver(Template);
        var policy = Template.ResourcesOfType("AWS::S3::BucketPolicy").Single().Properties;
        var statement = Statements(resolver.Resolve(policy["PolicyDocument"])!).Single();

        Assert.Equal("Bucket", resolver.ResolveString(policy["Bucket"]));
        Assert.Equal("""{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"""
            + """["Bucket.Arn","Bucket.Arn/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}""",
            statement.ToJsonString());
    }

    [Fact]
    public void The_app_client_takes_the_password_flow_only_when_asked_which_the_local_cloud_does_unless_told_otherwise()
    {
        static string[] Flows(SamTemplate template) => Resolver(template)
            .Resolve(template.ResourcesOfType("AWS::Cognito::UserPoolClient").Single().Properties["ExplicitAuthFlows"])!
            .AsArray().Select(flow => flow!.ToString()).ToArray();
        var client = Resolver(Template).Resolve(Template.ResourcesOfType("AWS::Cognito::UserPoolClient").Single().Properties)!;

        Assert.Equal(["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], Flows(Template));
        Assert.Equal(["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            Flows(LocalCloud.LocalTemplate(Template, new Dictionary<string, string>())));
        Assert.Equal(["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], Flows(LocalCloud.LocalTemplate(Template,
            new Dictionary<string, string> { ["AllowUserPasswordAuth"] = "false" })));
        Assert.Equal("""{"AccessToken":"minutes","IdToken":"minutes","RefreshToken":"days"}""",
            client["TokenValidityUnits"]!.ToJsonString());
        Assert.Equal([60, 60, 30], new[] { "AccessTokenValidity", "IdTokenValidity", "RefreshTokenValidity" }
            .Select(validity => client[validity]!.GetValue<int>()));
        Assert.Equal("""["email"]""", Resolver(Template).Resolve(Template.Resources["UserPool"]!["Properties"]!
            ["UserAttributeUpdateSettings"]!["AttributesRequireVerificationBeforeUpdate"])!.ToJsonString());
    }

    [Fact]
    public void ProcessUploads_concurrency_is_reserved_only_when_given_and_the_API_stage_is_throttled()
    {
        static JsonNode? Reserved(SamTemplate template) =>
            Resolver(template).Resolve(template.FunctionProperties("ProcessUploadFunction"))!["ReservedConcurrentExecutions"];
        var throttling = Resolver(Template)
            .Resolve(Template.ResourcesOfType("AWS::Serverless::HttpApi").Single().Properties["DefaultRouteSettings"])!;

        Assert.Null(Reserved(Template));
        Assert.Equal("5", Reserved(With(("ProcessUploadReservedConcurrency", "5")))!.ToString());
        Assert.Equal("""{"ThrottlingBurstLimit":"100","ThrottlingRateLimit":"50"}""", throttling.ToJsonString());
    }

    /// <summary>The statements of a policy document, or of a function's (resolved) inline <c>Policies</c>.</summary>
    private static List<JsonObject> Statements(JsonNode properties) =>
        (properties["Statement"] is not null ? [properties] : properties["Policies"]?.AsArray().Select(policy => policy!) ?? [])
        .SelectMany(policy => policy["Statement"] switch
        {
            JsonArray statements => statements.OfType<JsonObject>(),
            JsonObject statement => [statement],
            _ => [],
        })
        .ToList();

    [GeneratedRegex(@"^\d{12}$")]
    private static partial Regex AccountId();
}
