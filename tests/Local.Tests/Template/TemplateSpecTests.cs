using Serverless.Local.Template;
using Serverless.Local.Tests.Emulators;
using Xunit.Abstractions;
using static Serverless.Local.Tests.Template.CloudFormationSpecFixture;

namespace Serverless.Local.Tests.Template;

/// <summary>
/// template.yaml against AWS's CloudFormation resource specification (<c>@aws-cdk/cfnspec</c>, SAM types included):
/// the stand-in for cfn-lint / <c>sam validate</c>, which cannot run on these machines.
/// </summary>
[Collection(CloudFormationSpecCollection.Name)]
public sealed class TemplateSpecTests(CloudFormationSpecFixture fixture, ITestOutputHelper output)
{
    public static TheoryData<string> ResourceIds()
    {
        var template = SamTemplate.Load(Path.Combine(EmulatorTestPaths.RepoRoot, "template.yaml"));
        var ids = new TheoryData<string>();
        foreach (var (id, _) in template.Resources)
        {
            ids.Add(id);
        }
        return ids;
    }

    private IReadOnlyList<SpecFinding> FindingsUnder(string prefix) =>
        fixture.Validation.Findings.Where(f => f.Path == prefix || f.Path.StartsWith(prefix + ".", StringComparison.Ordinal)
            || f.Path.StartsWith(prefix + "[", StringComparison.Ordinal)).ToList();

    // ---------- the loaded spec ----------

    [Fact]
    public void The_addenda_add_only_what_the_pinned_spec_lacks()
    {
        Assert.Empty(fixture.Spec.AddendaAlreadyInSpec);
        var pinned = CloudFormationSpec.Load(fixture.SpecificationPath, asPinned: true);
        Assert.False(pinned.ResourceTypes["AWS::Serverless::Function"].Properties!.ContainsKey("LoggingConfig"));
        Assert.False(pinned.ResourceTypes["AWS::Lambda::Function"].Properties!.ContainsKey("LoggingConfig"));
        Assert.False(pinned.ResourceTypes["AWS::Serverless::HttpApi"].Properties!.ContainsKey("AccessLogSettings"));
        Assert.True(pinned.ResourceTypes["AWS::Serverless::HttpApi"].Properties!.ContainsKey("AccessLogSetting"));
    }

    [Fact]
    public void The_corrections_change_only_what_the_pinned_spec_gets_wrong()
    {
        Assert.Empty(fixture.Spec.CorrectionsNotNeeded);
        const string destinations = "AWS::Serverless::Function.EventInvokeDestinationConfig";
        var pinned = CloudFormationSpec.Load(fixture.SpecificationPath, asPinned: true).PropertyTypes[destinations].Properties!;
        var corrected = fixture.Spec.PropertyTypes[destinations].Properties!;
        Assert.True(pinned["OnSuccess"].Required);
        Assert.True(pinned["OnFailure"].Required);
        Assert.False(corrected["OnSuccess"].Required);
        Assert.False(corrected["OnFailure"].Required);
        Assert.Equal(pinned["OnSuccess"].Type, corrected["OnSuccess"].Type);
        const string deployments = "AWS::Serverless::Function.DeploymentPreference";
        var pinnedDeployments = CloudFormationSpec.Load(fixture.SpecificationPath, asPinned: true).PropertyTypes[deployments].Properties!;
        Assert.True(pinnedDeployments["Enabled"].Required);
        Assert.False(fixture.Spec.PropertyTypes[deployments].Properties!["Enabled"].Required);
        Assert.True(fixture.Spec.PropertyTypes[deployments].Properties!["Type"].Required);
    }

    [Fact]
    public void A_functions_deployment_preference_may_take_its_required_Type_from_Globals()
    {
        const string function = """
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: provided.al2023
                  Handler: H
                  CodeUri: .
                  AutoPublishAlias: live
                  DeploymentPreference:
                    Alarms: [!Ref FnErrors]
              FnErrors:
                Type: AWS::CloudWatch::Alarm
                Properties:
                  Namespace: AWS/Lambda
                  MetricName: Errors
                  ComparisonOperator: GreaterThanThreshold
                  EvaluationPeriods: 1
            """;
        var withGlobals = Load($"""
            Transform: AWS::Serverless-2016-10-31
            Globals:
              Function:
                DeploymentPreference:
                  Type: Canary10Percent5Minutes
            Resources:
            {function}
            """);
        var withoutGlobals = Load($"""
            Transform: AWS::Serverless-2016-10-31
            Resources:
            {function}
            """);

        Assert.Empty(fixture.Spec.Validate(withGlobals).Findings);
        var finding = Assert.Single(fixture.Spec.Validate(withoutGlobals).Findings);
        Assert.Equal("Resources.Fn.Properties.DeploymentPreference.Type", finding.Path);
    }

    [Fact]
    public void An_on_failure_destination_alone_validates_and_a_destination_still_needs_its_arn()
    {
        var template = Load("""
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Failures:
                Type: AWS::SQS::Queue
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: provided.al2023
                  Handler: H
                  CodeUri: .
                  EventInvokeConfig:
                    DestinationConfig:
                      OnFailure:
                        Type: SQS
                      OnSuccess:
                        Type: SQS
                        Destination: !GetAtt Failures.Arn
            """);
        var findings = fixture.Spec.Validate(template).Findings;
        var finding = Assert.Single(findings);
        Assert.Equal("Resources.Fn.Properties.EventInvokeConfig.DestinationConfig.OnFailure.Destination", finding.Path);
    }

    [Fact]
    public void The_spec_lists_the_attributes_the_template_reads()
    {
        Assert.Equivalent(new[] { "Arn", "StreamArn" }, fixture.Spec.AttributesOf("AWS::DynamoDB::Table")!, strict: true);
        Assert.Equivalent(new[] { "Arn", "ProviderName", "ProviderURL" }, fixture.Spec.AttributesOf("AWS::Cognito::UserPool")!,
            strict: true);
        Assert.Contains("Arn", fixture.Spec.AttributesOf("AWS::Serverless::Function")!); // via the AWS::Lambda::Function SAM generates
        Assert.Contains("ApiEndpoint", fixture.Spec.AttributesOf("AWS::Serverless::HttpApi")!);
        Assert.Empty(fixture.Spec.AttributesOf("AWS::Lambda::Permission")!);
    }

    // ---------- template.yaml ----------

    [Theory]
    [MemberData(nameof(ResourceIds))]
    public void Each_resource_type_of_the_template_is_in_the_spec(string logicalId)
    {
        var type = fixture.Template.Resources[logicalId]!["Type"]!.GetValue<string>();
        Assert.True(fixture.Spec.ResourceTypes.ContainsKey(type),
            $"{logicalId}: {type} is not in CloudFormation spec {fixture.Spec.Version}.");
    }

    [Theory]
    [MemberData(nameof(ResourceIds))]
    public void Each_resource_of_the_template_matches_the_spec(string logicalId)
    {
        var findings = FindingsUnder($"Resources.{logicalId}");
        Assert.True(findings.Count == 0,
            $"Resources.{logicalId} does not match CloudFormation spec {fixture.Spec.Version}:{Environment.NewLine}{Describe(findings)}");
    }

    [Fact]
    public void Globals_Function_holds_only_valid_Serverless_Function_properties()
    {
        var findings = FindingsUnder("Globals");
        Assert.True(findings.Count == 0, Describe(findings));
        foreach (var (property, _) in fixture.Template.Root["Globals"]!["Function"]!.AsObject())
        {
            Assert.True(fixture.Spec.ResourceTypes["AWS::Serverless::Function"].Properties!.ContainsKey(property), property);
        }
        Assert.Equal("Integer", fixture.Validation.Checked["Globals.Function.MemorySize"]);
        Assert.Equal("List<String>", fixture.Validation.Checked["Globals.Function.Architectures"]);
        Assert.Equal("String", fixture.Validation.Checked["Globals.Function.LoggingConfig.ApplicationLogLevel"]);
        Assert.Equal("Map<String>", fixture.Validation.Checked["Globals.Function.Environment.Variables"]);
    }

    [Fact]
    public void Refs_GetAtts_and_Subs_point_at_parameters_resources_pseudo_parameters_and_listed_attributes()
    {
        var findings = fixture.Validation.Findings
            .Where(f => f.Message.Contains("Ref", StringComparison.Ordinal) || f.Message.Contains("GetAtt", StringComparison.Ordinal)
                || f.Message.Contains("Fn::Sub", StringComparison.Ordinal)).ToList();
        Assert.True(findings.Count == 0, Describe(findings));

        var references = fixture.Validation.References;
        output.WriteLine(string.Join(Environment.NewLine, references));
        Assert.Contains("Resources.UserPool.Properties.LambdaConfig.PostConfirmation -> Ref CreateProfileFunction.Alias", references);
        Assert.Contains("Resources.ProfileApiFunction.Properties.Policies[0].Statement[0].Resource -> Fn::GetAtt Table.Arn", references);
        Assert.Contains("Resources.HttpApi.Properties.CorsConfiguration.AllowOrigins -> Ref CorsAllowedOrigins", references);
        Assert.Contains("Outputs.ApiUrl.Value -> Fn::Sub ${AWS::URLSuffix}: Ref AWS::URLSuffix", references);
        Assert.Contains(
            "Resources.HttpApi.Properties.Auth.Authorizers.CognitoAuthorizer.JwtConfiguration.issuer -> Fn::Sub ${UserPool}: Ref UserPool",
            references);
    }

    [Fact]
    public void The_whole_template_validates_against_the_spec()
    {
        var findings = fixture.Validation.Findings;
        Assert.True(findings.Count == 0,
            $"template.yaml does not match CloudFormation spec {fixture.Spec.Version}:{Environment.NewLine}{Describe(findings)}");
    }

    [Fact]
    public void Validation_reaches_into_nested_property_types_and_SAM_events()
    {
        var checkedPaths = fixture.Validation.Checked;
        foreach (var (path, type) in checkedPaths.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{path}: {type}");
        }
        Assert.Equal("Policies", checkedPaths["Resources.UserPool.Properties.Policies"]);
        Assert.Equal("PasswordPolicy", checkedPaths["Resources.UserPool.Properties.Policies.PasswordPolicy"]);
        Assert.Equal("Integer", checkedPaths["Resources.UserPool.Properties.Policies.PasswordPolicy.MinimumLength"]);
        Assert.Equal("Boolean", checkedPaths["Resources.UserPool.Properties.Policies.PasswordPolicy.RequireSymbols"]);
        Assert.Equal("Integer", checkedPaths["Resources.UserPool.Properties.AccountRecoverySetting.RecoveryMechanisms[0].Priority"]);
        Assert.Equal("Boolean", checkedPaths["Resources.UserPool.Properties.Schema[0].Mutable"]);
        Assert.Equal("String", checkedPaths["Resources.UserPool.Properties.LambdaConfig.PostConfirmation"]);
        Assert.Equal("Boolean", checkedPaths["Resources.Table.Properties.TimeToLiveSpecification.Enabled"]);
        Assert.Equal("String", checkedPaths["Resources.Table.Properties.KeySchema[1].KeyType"]);
        Assert.Equal("HttpApiEvent", checkedPaths["Resources.ProfileApiFunction.Properties.Events.GetMe.Properties"]);
        Assert.Equal("List<String>",
            checkedPaths["Resources.ProfileApiFunction.Properties.Events.GetMe.Properties.Auth.AuthorizationScopes"]);
        Assert.Equal("String", checkedPaths["Resources.ProfileApiFunction.Properties.Events.GetHealth.Properties.Auth.Authorizer"]);
        Assert.Equal("IAMPolicyDocument", checkedPaths["Resources.ProfileApiFunction.Properties.Policies[0]"]);
        Assert.Equal("CorsConfigurationObject", checkedPaths["Resources.HttpApi.Properties.CorsConfiguration"]);
        Assert.Equal("Integer", checkedPaths["Resources.HttpApi.Properties.CorsConfiguration.MaxAge"]);
        Assert.Equal("List<String>", checkedPaths["Resources.HttpApi.Properties.CorsConfiguration.AllowOrigins"]);
        Assert.Equal("String", checkedPaths["Resources.HttpApi.Properties.Auth.DefaultAuthorizer"]);
        Assert.Equal("Integer", checkedPaths["Resources.Bucket.Properties.CorsConfiguration.CorsRules[0].MaxAge"]);
        Assert.Equal("Integer",
            checkedPaths["Resources.Bucket.Properties.LifecycleConfiguration.Rules[2].AbortIncompleteMultipartUpload.DaysAfterInitiation"]);
        Assert.Equal("Boolean", checkedPaths["Resources.Bucket.Properties.PublicAccessBlockConfiguration.RestrictPublicBuckets"]);
        Assert.Equal("Integer", checkedPaths["Resources.MeterUsageFailures.Properties.MessageRetentionPeriod"]);
        Assert.Equal("S3Event", checkedPaths["Resources.ProcessUploadFunction.Properties.Events.FileUploaded.Properties"]);
        Assert.Equal("String",
            checkedPaths["Resources.ProcessUploadFunction.Properties.Events.FileUploaded.Properties.Filter.S3Key.Rules[0].Value"]);
        Assert.Equal("Destination",
            checkedPaths["Resources.ProcessUploadFunction.Properties.EventInvokeConfig.DestinationConfig.OnFailure"]);
        Assert.Equal("Integer", checkedPaths["Resources.ProcessUploadFunction.Properties.EventInvokeConfig.MaximumRetryAttempts"]);
        Assert.Equal("HttpApiEvent", checkedPaths["Resources.PredictionsApiFunction.Properties.Events.CreatePrediction.Properties"]);
    }

    [Fact]
    public void The_spec_stops_at_Json_properties_HttpApi_Authorizers_and_IAM_statements()
    {
        var leaves = fixture.Validation.JsonLeaves;
        output.WriteLine(string.Join(Environment.NewLine, leaves));
        Assert.Contains("Resources.HttpApi.Properties.Auth.Authorizers", leaves);
        Assert.Contains("Resources.ProfileApiFunction.Properties.Policies[0].Statement", leaves);
        Assert.Contains("Resources.CreateProfileFunction.Properties.Policies[0].Statement", leaves);
        Assert.DoesNotContain(fixture.Validation.Checked.Keys, path =>
            path.StartsWith("Resources.HttpApi.Properties.Auth.Authorizers.", StringComparison.Ordinal));
    }
}
