using System.Text.Json.Nodes;
using Serverless.Local.Template;
using static Serverless.Local.Tests.Template.CloudFormationSpecFixture;

namespace Serverless.Local.Tests.Template;

/// <summary>
/// The local template engine on what a production template uses: Conditions with the parameters' values, Fn::If with
/// AWS::NoValue, Fn::FindInMap, resources the local cloud does not emulate, and SAM's Fn.Alias references.
/// </summary>
public sealed class TemplateConditionTests
{
    private static readonly SamTemplate Template = Load("""
        Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]
        Parameters:
          Stage:
            Type: String
            Default: dev
            AllowedValues: [dev, prod]
          ModelEndpointName:
            Type: String
            Default: ""
          Reserved:
            Type: Number
            Default: 5
        Mappings:
          Images:
            us-east-1: { Uri: 763104351884.dkr.ecr.us-east-1.amazonaws.com/image:1 }
        Conditions:
          IsProd: !Equals [!Ref Stage, prod]
          IsDev: !Not [!Condition IsProd]
          CreateEndpoint: !Equals [!Ref ModelEndpointName, ""]
          ProdWithOwnEndpoint: !And [!Condition IsProd, !Not [!Condition CreateEndpoint]]
          ProdOrOwnEndpoint: !Or [!Condition IsProd, !Not [!Condition CreateEndpoint]]
          ReservesFive: !Equals [!Ref Reserved, 5]
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              FunctionName: !Sub ${AWS::StackName}-Fn
              AutoPublishAlias: live
              ReservedConcurrentExecutions: !If [IsProd, !Ref Reserved, !Ref AWS::NoValue]
              Environment:
                Variables:
                  ENDPOINT: !If [CreateEndpoint, !GetAtt Endpoint.EndpointName, !Ref ModelEndpointName]
                  IMAGE: !FindInMap [Images, !Ref AWS::Region, Uri]
                  SELF: !Ref Fn.Alias
                  SELF_SUB: !Sub ${Fn.Alias}
                  VERSION: !Ref Fn.Version
                  LOGS: !Ref Logs
                  LOGS_ARN: !GetAtt Logs.Arn
                  TOPIC: !Ref Topic
                  ROLE: !If [CreateEndpoint, !GetAtt EndpointRole.Arn, !Ref AWS::NoValue]
                  MODEL: !If [CreateEndpoint, !Ref Model, !Ref AWS::NoValue]
              Tags: [a, !If [IsProd, b, !Ref AWS::NoValue], c]
          Logs:
            Type: AWS::Logs::LogGroup
            Properties:
              LogGroupName: !Sub /aws/lambda/${Fn}
          Topic:
            Type: AWS::SNS::Topic
          EndpointRole:
            Type: AWS::IAM::Role
            Condition: CreateEndpoint
          Model:
            Type: AWS::SageMaker::Model
            Condition: CreateEndpoint
          Endpoint:
            Type: AWS::SageMaker::Endpoint
            Condition: CreateEndpoint
            Properties:
              EndpointName: !Sub ${AWS::StackName}-Sentiment
          Alarm:
            Type: AWS::CloudWatch::Alarm
            Condition: IsProd
        Outputs:
          EndpointName:
            Condition: CreateEndpoint
            Value: !GetAtt Endpoint.EndpointName
        """);

    private static SamTemplate With(string parameter, string value) =>
        Template.WithParameterValues(new Dictionary<string, string> { [parameter] = value });

    private static IntrinsicResolver Resolver(SamTemplate template)
    {
        var (refs, attributes) = LocalResources.TemplateValues(template);
        return template.Resolver(refs, attributes);
    }

    [Fact]
    public void Conditions_hold_as_the_parameter_values_make_them()
    {
        var dev = Resolver(Template);
        var prod = Resolver(With("Stage", "prod"));
        var named = Resolver(Template.WithParameterValues(
            new Dictionary<string, string> { ["Stage"] = "prod", ["ModelEndpointName"] = "own" }));

        Assert.Equal([false, true, true, false, false, true], new[] { "IsProd", "IsDev", "CreateEndpoint", "ProdWithOwnEndpoint",
            "ProdOrOwnEndpoint", "ReservesFive" }.Select(dev.ConditionHolds));
        Assert.Equal([true, false, true, false, true], new[] { "IsProd", "IsDev", "CreateEndpoint", "ProdWithOwnEndpoint",
            "ProdOrOwnEndpoint" }.Select(prod.ConditionHolds));
        Assert.True(named.ConditionHolds("ProdWithOwnEndpoint"));
        Assert.Throws<KeyNotFoundException>(() => dev.ConditionHolds("Nope"));
    }

    [Fact]
    public void Resources_and_outputs_whose_condition_is_false_are_not_in_the_stack()
    {
        var own = With("ModelEndpointName", "own");

        Assert.Equal(["Endpoint"], Template.ResourcesOfType("AWS::SageMaker::Endpoint").Select(resource => resource.LogicalId));
        Assert.Empty(own.ResourcesOfType("AWS::SageMaker::Endpoint"));
        Assert.Empty(own.ResourcesOfType("AWS::IAM::Role"));
        Assert.Empty(Template.ResourcesOfType("AWS::CloudWatch::Alarm"));
        Assert.Single(With("Stage", "prod").ResourcesOfType("AWS::CloudWatch::Alarm"));
        Assert.True(Template.Exists(Template.Outputs["EndpointName"]));
        Assert.False(own.Exists(own.Outputs["EndpointName"]));
        Assert.Equal(["serverless-local-Sentiment"], LocalResources.ModelEndpointNames(Template));
        Assert.Equal(["own"], LocalResources.ModelEndpointNames(own));
    }

    [Fact]
    public void If_takes_its_conditions_branch_and_NoValue_removes_the_property_or_list_item()
    {
        var dev = Resolver(Template).Resolve(Template.FunctionProperties("Fn"))!;
        var prod = Resolver(With("Stage", "prod")).Resolve(With("Stage", "prod").FunctionProperties("Fn"))!;
        var own = Resolver(With("ModelEndpointName", "own")).Resolve(With("ModelEndpointName", "own").FunctionProperties("Fn"))!;

        Assert.False(dev.AsObject().ContainsKey("ReservedConcurrentExecutions"));
        Assert.Equal("5", prod["ReservedConcurrentExecutions"]!.ToString());
        Assert.Equal("""["a","c"]""", dev["Tags"]!.ToJsonString());
        Assert.Equal("""["a","b","c"]""", prod["Tags"]!.ToJsonString());
        Assert.Equal("serverless-local-Sentiment", dev["Environment"]!["Variables"]!["ENDPOINT"]!.ToString());
        Assert.Equal("own", own["Environment"]!["Variables"]!["ENDPOINT"]!.ToString());
        Assert.Null(Resolver(Template).Resolve(JsonNode.Parse("""{"Fn::If":["IsProd","x",{"Ref":"AWS::NoValue"}]}""")));
    }

    [Fact]
    public void FindInMap_reads_the_templates_mappings()
    {
        var variables = Resolver(Template).Resolve(Template.FunctionProperties("Fn")["Environment"]!["Variables"])!;

        Assert.Equal("763104351884.dkr.ecr.us-east-1.amazonaws.com/image:1", variables["IMAGE"]!.ToString());
        Assert.Throws<KeyNotFoundException>(() =>
            Resolver(Template).Resolve(JsonNode.Parse("""{"Fn::FindInMap":["Images","eu-west-9","Uri"]}""")));
    }

    [Fact]
    public void Resources_the_local_cloud_does_not_emulate_resolve_to_the_values_AWS_would_give()
    {
        var variables = Resolver(Template).Resolve(Template.FunctionProperties("Fn")["Environment"]!["Variables"])!;

        Assert.Equal("/aws/lambda/serverless-local-Fn", variables["LOGS"]!.ToString());
        Assert.Equal("arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/serverless-local-Fn:*", variables["LOGS_ARN"]!.ToString());
        Assert.Equal("arn:aws:sns:us-east-1:000000000000:serverless-local-Topic", variables["TOPIC"]!.ToString());
        Assert.Equal("arn:aws:iam::000000000000:role/serverless-local-EndpointRole", variables["ROLE"]!.ToString());
        // SageMaker's Ref is the ARN, its name part in lower case.
        Assert.Equal("arn:aws:sagemaker:us-east-1:000000000000:model/serverless-local-model", variables["MODEL"]!.ToString());
    }

    [Fact]
    public void A_functions_Alias_and_Version_refs_are_its_alias_ARN()
    {
        var variables = Resolver(Template).Resolve(Template.FunctionProperties("Fn")["Environment"]!["Variables"])!;
        var offline = OfflineValues.Resolver(Template).Resolve(Template.FunctionProperties("Fn")["Environment"]!["Variables"])!;

        const string alias = "arn:aws:lambda:us-east-1:000000000000:function:serverless-local-Fn:live";
        Assert.Equal([alias, alias, alias], new[] { "SELF", "SELF_SUB", "VERSION" }.Select(name => variables[name]!.ToString()));
        Assert.Equal(alias, offline["SELF"]!.ToString());
        Assert.Equal("serverless-local-Sentiment", offline["ENDPOINT"]!.ToString());
    }
}
