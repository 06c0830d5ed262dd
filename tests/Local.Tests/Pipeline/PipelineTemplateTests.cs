using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Serverless.Local.Template;
using Serverless.Local.Tests.Emulators;
using Serverless.Local.Tests.Template;
using static Serverless.Local.Tests.Template.CloudFormationSpecFixture;

namespace Serverless.Local.Tests.Pipeline;

/// <summary>
/// infra/pipeline.yaml, what deploy.yml assumes and uses in the account: valid against the CloudFormation spec, trusted by
/// this repository's jobs of one GitHub environment only, and scoped to that environment's app stack.
/// </summary>
[Collection(CloudFormationSpecCollection.Name)]
public sealed partial class PipelineTemplateTests(CloudFormationSpecFixture fixture)
{
    private static readonly SamTemplate Pipeline = SamTemplate.Load(Path.Combine(EmulatorTestPaths.RepoRoot, "infra", "pipeline.yaml"));

    /// <summary>The statements allowed a <c>"*"</c> resource, by Sid, with their exact actions and AWS's reason.</summary>
    private static readonly Dictionary<string, (string[] Actions, string Reason)> StarResourceExceptions = new()
    {
        ["EventSourceMappings"] = (
            ["lambda:CreateEventSourceMapping", "lambda:DeleteEventSourceMapping", "lambda:GetEventSourceMapping",
                "lambda:UpdateEventSourceMapping"],
            "a mapping is named by a UUID Lambda makes; lambda:FunctionArn limits it to the stack's functions"),
        ["CreateUserPool"] = (["cognito-idp:CreateUserPool"], "authorises on no resource: the pool's id does not exist yet"),
        ["CreateKey"] = (["kms:CreateKey"], "authorises on no resource: the key's id does not exist yet"),
        ["HttpApiAccessLogDelivery"] = (
            ["logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:DescribeResourcePolicies", "logs:GetLogDelivery",
                "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:UpdateLogDelivery"],
            "log deliveries have no resource type; API Gateway documents these on * for HTTP API access logs"),
    };

    /// <summary>Statements of the execution role whose resources are account-wide of a type, not named after the stack.</summary>
    private static readonly Dictionary<string, string> AccountScopedStatements = new()
    {
        ["UserPool"] = "a user pool's ARN holds the id Cognito makes, not its name",
        ["HttpApi"] = "an HTTP API's ARN holds the id API Gateway makes, not its name",
        ["DescribeLogGroups"] = "DescribeLogGroups authorises on log-group:*",
        ["Deployments"] = "AWS's predefined CodeDeployDefault.* configurations, beside the stack's application and groups",
        ["ReadArtifacts"] = "the pipeline's own artifacts bucket",
        ["ModelAndEndpointConfig"] = "CloudFormation names an unnamed model and endpoint configuration without the stack",
        ["AlarmTopicKey"] = "a KMS key's ARN holds the id KMS makes; only its management, never its use, is allowed",
    };

    /// <summary>What the execution role needs for each resource type template.yaml declares (and for each kind of event
    /// a function has, which SAM turns into resources of its own): the Sids of its statements that cover it.</summary>
    private static readonly Dictionary<string, string[]> CoveringStatements = new()
    {
        ["AWS::Serverless::Function"] = ["Functions", "AppRoles", "AttachSamManagedPolicies", "PassAppRoles", "Deployments",
            "ReadArtifacts"],
        ["AWS::Serverless::HttpApi"] = ["HttpApi", "HttpApiAccessLogDelivery", "DescribeLogGroups"],
        ["AWS::Lambda::Permission"] = ["Functions"],
        ["AWS::IAM::Role"] = ["AppRoles", "PassAppRoles"],
        ["AWS::Cognito::UserPool"] = ["UserPool", "CreateUserPool"],
        ["AWS::Cognito::UserPoolClient"] = ["UserPool"],
        ["AWS::DynamoDB::Table"] = ["Table"],
        ["AWS::S3::Bucket"] = ["Bucket"],
        ["AWS::S3::BucketPolicy"] = ["Bucket"],
        ["AWS::SQS::Queue"] = ["Queues"],
        ["AWS::SageMaker::Model"] = ["ModelAndEndpointConfig"],
        ["AWS::SageMaker::EndpointConfig"] = ["ModelAndEndpointConfig"],
        ["AWS::SageMaker::Endpoint"] = ["ModelEndpoint"],
        ["AWS::Logs::LogGroup"] = ["LogGroups"],
        ["AWS::KMS::Key"] = ["AlarmTopicKey", "CreateKey"],
        ["AWS::SNS::Topic"] = ["Topics"],
        ["AWS::SNS::Subscription"] = ["Topics"],
        ["AWS::CloudWatch::Alarm"] = ["Alarms"],
        ["AWS::CloudWatch::Dashboard"] = ["Dashboard"],
        ["event HttpApi"] = ["HttpApi", "Functions"],
        ["event S3"] = ["Bucket", "Functions"],
        ["event Schedule"] = ["Schedules", "Functions"],
        ["event DynamoDB"] = ["EventSourceMappings", "Table"],
    };

    private static JsonObject Resource(string id) => Pipeline.Resources[id]!.AsObject();

    private static IEnumerable<JsonObject> Statements(string role) =>
        from policy in Resource(role)["Properties"]!["Policies"]!.AsArray()
        from statement in policy!["PolicyDocument"]!["Statement"]!.AsArray()
        select statement!.AsObject();

    private static IEnumerable<JsonNode> Many(JsonNode? node) => node is JsonArray array ? array.Select(item => item!) : [node!];

    private static string Sub(JsonNode node) => node["Fn::Sub"]?.GetValue<string>() ?? node.ToJsonString();

    [Fact]
    public void The_pipeline_template_validates_against_the_cloudformation_spec()
    {
        var validation = fixture.Spec.Validate(Pipeline);
        Assert.True(validation.Findings.Count == 0, Describe(validation.Findings));
        Assert.Null(Pipeline.Root["Transform"]);
    }

    [Fact]
    public void The_validator_refuses_a_broken_pipeline_template()
    {
        var root = Pipeline.Root.DeepClone().AsObject();
        root["Resources"]!["ArtifactsBucket"]!["Properties"]!["VersioningConfiguration"]!["Status"] = null;
        root["Resources"]!["DeployRole"]!["Properties"]!["AssumeRolePolicyDocuments"] = new JsonObject();
        var findings = fixture.Spec.Validate(new SamTemplate(root)).Findings;
        Assert.Contains(findings, f =>
            f.Path.StartsWith("Resources.ArtifactsBucket.Properties.VersioningConfiguration", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Path.StartsWith("Resources.DeployRole.Properties", StringComparison.Ordinal));
    }

    [Fact]
    public void Only_this_repositorys_jobs_in_the_stacks_github_environment_can_assume_the_deploy_role()
    {
        var trust = Assert.Single(Resource("DeployRole")["Properties"]!["AssumeRolePolicyDocument"]!["Statement"]!.AsArray())!;
        Assert.Equal("Allow", trust["Effect"]!.GetValue<string>());
        Assert.Equal("sts:AssumeRoleWithWebIdentity", trust["Action"]!.GetValue<string>());
        Assert.Equal("""{"Fn::If":["CreateOidcProvider",{"Ref":"GitHubOidcProvider"},{"Ref":"ExistingOidcProviderArn"}]}""",
            trust["Principal"]!["Federated"]!.ToJsonString());

        // Exact matches only: no StringLike, no ForAnyValue/ForAllValues (which pass when a claim is missing).
        var condition = Assert.Single(trust["Condition"]!.AsObject());
        Assert.Equal("StringEquals", condition.Key);
        var claims = condition.Value!.AsObject();
        Assert.Equal(["token.actions.githubusercontent.com:aud", "token.actions.githubusercontent.com:sub"],
            claims.Select(c => c.Key).Order());
        Assert.Equal("sts.amazonaws.com", claims["token.actions.githubusercontent.com:aud"]!.GetValue<string>());
        Assert.Equal("repo:${GitHubOrg}/${GitHubRepo}:environment:${Environment}", Sub(claims["token.actions.githubusercontent.com:sub"]!));

        // The environment is the one deploy.yml runs in, and the org/repo parameters allow no wildcard.
        Assert.Equal("""["dev","prod"]""", Pipeline.Parameters["Environment"]!["AllowedValues"]!.ToJsonString());
        foreach (var name in new[] { "GitHubOrg", "GitHubRepo" })
        {
            var pattern = new Regex($"^(?:{Pipeline.Parameters[name]!["AllowedPattern"]!.GetValue<string>()})$");
            Assert.Matches(pattern, "serverless-team");
            Assert.DoesNotMatch(pattern, "*");
            Assert.DoesNotMatch(pattern, "org/repo");
        }
    }

    [Fact]
    public void The_oidc_provider_is_githubs_for_sts_and_created_only_when_none_is_given()
    {
        var provider = Resource("GitHubOidcProvider");
        Assert.Equal("CreateOidcProvider", provider["Condition"]!.GetValue<string>());
        Assert.Equal("https://token.actions.githubusercontent.com", provider["Properties"]!["Url"]!.GetValue<string>());
        Assert.Equal("""["sts.amazonaws.com"]""", provider["Properties"]!["ClientIdList"]!.ToJsonString());
        Assert.Equal("""{"Fn::Equals":[{"Ref":"ExistingOidcProviderArn"},""]}""",
            Pipeline.Root["Conditions"]!["CreateOidcProvider"]!.ToJsonString());
        Assert.Equal("", Pipeline.Parameters["ExistingOidcProviderArn"]!["Default"]!.GetValue<string>());
    }

    [Fact]
    public void No_statement_has_a_star_resource_but_the_documented_exceptions()
    {
        var problems = new List<string>();
        foreach (var role in new[] { "DeployRole", "CloudFormationExecutionRole" })
        {
            foreach (var statement in Statements(role))
            {
                var sid = statement["Sid"]?.GetValue<string>() ?? "(no Sid)";
                if (statement["Effect"]!.GetValue<string>() != "Allow" || statement["NotResource"] is not null
                    || statement["NotAction"] is not null)
                    problems.Add($"{role}.{sid}: only Allow statements with Action and Resource");
                var actions = Many(statement["Action"]).Select(action => action.GetValue<string>()).Order().ToArray();
                if (Many(statement["Action"]).Any(action => action.GetValue<string>() == "*"))
                    problems.Add($"{role}.{sid}: allows every action");
                if (!Many(statement["Resource"]).Any(resource => resource.ToJsonString() == "\"*\"")) continue;
                if (!StarResourceExceptions.TryGetValue(sid, out var exception))
                    problems.Add($"{role}.{sid}: resource * is not a documented exception");
                else if (!exception.Actions.SequenceEqual(actions))
                    problems.Add($"{role}.{sid}: resource * for [{string.Join(", ", actions)}], documented for"
                        + $" [{string.Join(", ", exception.Actions)}] ({exception.Reason})");
            }
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.All(StarResourceExceptions.Keys, sid => Assert.Contains(Statements("CloudFormationExecutionRole"),
            statement => statement["Sid"]!.GetValue<string>() == sid));
    }

    [Fact]
    public void The_deploy_role_drives_only_the_app_stack_uses_only_the_artifacts_bucket_and_passes_only_the_execution_role()
    {
        var config = File.ReadAllText(Path.Combine(EmulatorTestPaths.RepoRoot, "samconfig.toml"));
        Assert.Equal(["serverless-dev", "serverless-prod"], StackName().Matches(config).Select(m => m.Groups[1].Value).Order());

        // Creating a change set is authorised on each transform the template names as well.
        var transforms = SamTemplate.Load(Path.Combine(EmulatorTestPaths.RepoRoot, "template.yaml")).Root["Transform"]!;
        var deployResources = Statements("DeployRole").SelectMany(statement => Many(statement["Resource"])).Select(Sub).ToList();
        Assert.All(Many(transforms).Select(transform => transform.GetValue<string>()), transform => Assert.Contains(
            $"arn:${{AWS::Partition}}:cloudformation:${{AWS::Region}}:aws:transform/{transform["AWS::".Length..]}", deployResources));

        foreach (var statement in Statements("DeployRole"))
        {
            var actions = Many(statement["Action"]).Select(action => action.GetValue<string>()).ToList();
            var resources = Many(statement["Resource"]).Select(Sub).ToList();
            var service = Assert.Single(actions.Select(action => action.Split(':')[0]).Distinct());
            switch (service)
            {
                case "cloudformation":
                    Assert.All(resources, resource => Assert.Matches(
                        @"^arn:\$\{AWS::Partition\}:cloudformation:\$\{AWS::Region\}:"
                            + @"(\$\{AWS::AccountId\}:(stack/serverless-\$\{Environment\}/\*|changeSet/samcli-deploy\*/\*)"
                            + @"|aws:transform/(LanguageExtensions|Serverless-2016-10-31))$", resource));
                    break;
                case "s3":
                    Assert.All(resources, resource => Assert.StartsWith("${ArtifactsBucket.Arn}", resource.Replace(
                        """{"Fn::GetAtt":["ArtifactsBucket","Arn"]}""", "${ArtifactsBucket.Arn}", StringComparison.Ordinal),
                        StringComparison.Ordinal));
                    break;
                case "iam":
                    Assert.Equal(["iam:PassRole"], actions);
                    Assert.Equal("""{"Fn::GetAtt":["CloudFormationExecutionRole","Arn"]}""", Assert.Single(resources));
                    Assert.Equal("cloudformation.amazonaws.com",
                        statement["Condition"]!["StringEquals"]!["iam:PassedToService"]!.GetValue<string>());
                    break;
                default:
                    Assert.Fail($"DeployRole allows {service} actions");
                    break;
            }
        }
    }

    [Fact]
    public void The_execution_role_reaches_only_resources_named_after_the_app_stack()
    {
        var trust = Assert.Single(Resource("CloudFormationExecutionRole")["Properties"]!["AssumeRolePolicyDocument"]!["Statement"]!
            .AsArray())!;
        Assert.Equal("cloudformation.amazonaws.com", trust["Principal"]!["Service"]!.GetValue<string>());

        var problems = new List<string>();
        foreach (var statement in Statements("CloudFormationExecutionRole"))
        {
            var sid = statement["Sid"]!.GetValue<string>();
            if (StarResourceExceptions.ContainsKey(sid) || AccountScopedStatements.ContainsKey(sid)) continue;
            foreach (var resource in Many(statement["Resource"]).Select(Sub))
                if (!AppStackResource().IsMatch(resource))
                    problems.Add($"{sid}: {resource} is not named after the app stack");
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));

        // Roles it creates may get the app's inline policies and only the AWS managed policies SAM attaches, and go only
        // to the services that run the app: it cannot make or pass itself a more powerful role.
        var statements = Statements("CloudFormationExecutionRole").ToDictionary(s => s["Sid"]!.GetValue<string>());
        Assert.DoesNotContain(statements.Values, s => Many(s["Action"]).Any(action => action.GetValue<string>().StartsWith("iam:*",
            StringComparison.Ordinal)));
        Assert.All(Many(statements["AttachSamManagedPolicies"]["Condition"]!["ArnEquals"]!["iam:PolicyARN"]).Select(Sub),
            policy => Assert.StartsWith("arn:${AWS::Partition}:iam::aws:policy/", policy, StringComparison.Ordinal));
        Assert.Equal("""["lambda.amazonaws.com","codedeploy.amazonaws.com","sagemaker.amazonaws.com"]""",
            statements["PassAppRoles"]["Condition"]!["StringEquals"]!["iam:PassedToService"]!.ToJsonString());
    }

    [Fact]
    public void The_execution_role_covers_every_kind_of_resource_the_app_stack_creates()
    {
        var app = SamTemplate.Load(Path.Combine(EmulatorTestPaths.RepoRoot, "template.yaml"));
        var kinds = app.Resources.Select(resource => resource.Value!["Type"]!.GetValue<string>())
            .Concat(app.ResourcesOfType("AWS::Serverless::Function")
                .SelectMany(function => function.Properties["Events"]?.AsObject() ?? [])
                .Select(trigger => "event " + trigger.Value!["Type"]!.GetValue<string>()))
            .ToHashSet();
        var sids = Statements("CloudFormationExecutionRole").Select(statement => statement["Sid"]!.GetValue<string>()).ToHashSet();

        Assert.All(kinds, kind => Assert.True(CoveringStatements.ContainsKey(kind),
            $"template.yaml creates {kind}: say which statements of infra/pipeline.yaml's execution role let CloudFormation"
                + " manage it (or add one), in CoveringStatements"));
        Assert.All(CoveringStatements.Where(entry => kinds.Contains(entry.Key)).SelectMany(entry => entry.Value),
            sid => Assert.Contains(sid, sids));
    }

    [Fact]
    public void The_artifacts_bucket_is_versioned_encrypted_private_and_tls_only()
    {
        var bucket = Resource("ArtifactsBucket");
        var properties = bucket["Properties"]!;
        Assert.Equal("Retain", bucket["DeletionPolicy"]!.GetValue<string>());
        Assert.Equal("Enabled", properties["VersioningConfiguration"]!["Status"]!.GetValue<string>());
        Assert.Equal("AES256", properties["BucketEncryption"]!["ServerSideEncryptionConfiguration"]![0]!
            ["ServerSideEncryptionByDefault"]!["SSEAlgorithm"]!.GetValue<string>());
        Assert.All(properties["PublicAccessBlockConfiguration"]!.AsObject(), setting => Assert.True(setting.Value!.GetValue<bool>()));
        Assert.Equal(4, properties["PublicAccessBlockConfiguration"]!.AsObject().Count);

        var policy = Resource("ArtifactsBucketPolicy")["Properties"]!;
        Assert.Equal("""{"Ref":"ArtifactsBucket"}""", policy["Bucket"]!.ToJsonString());
        var deny = Assert.Single(policy["PolicyDocument"]!["Statement"]!.AsArray())!;
        Assert.Equal("Deny", deny["Effect"]!.GetValue<string>());
        Assert.Equal("s3:*", deny["Action"]!.GetValue<string>());
        Assert.Equal("false", deny["Condition"]!["Bool"]!["aws:SecureTransport"]!.GetValue<string>());
        Assert.Equal(2, deny["Resource"]!.AsArray().Count);
    }

    [Fact]
    public void The_outputs_give_the_roles_and_the_bucket()
    {
        Assert.Equal(["ArtifactsBucketName", "CloudFormationExecutionRoleArn", "DeployRoleArn", "OidcProviderArn"],
            Pipeline.Outputs.Select(output => output.Key).Order());
    }

    /// <summary>A name that is the stack's, starts with it and a dash, or is under it as a path (log groups).</summary>
    [GeneratedRegex(@"[:/]serverless-\$\{Environment\}(-\*|/\*|-\*/\*)?$")]
    private static partial Regex AppStackResource();

    [GeneratedRegex(@"stack_name = ""([^""]+)""")]
    private static partial Regex StackName();
}
