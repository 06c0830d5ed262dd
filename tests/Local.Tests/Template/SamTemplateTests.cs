using System.Text.Json.Nodes;
using Serverless.Local.Template;
using static Serverless.Local.Tests.Template.CloudFormationSpecFixture;

namespace Serverless.Local.Tests.Template;

public sealed class SamTemplateTests
{
    [Fact]
    public void Short_intrinsic_tags_become_their_long_forms()
    {
        var template = Load("""
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  A: !Ref Table
                  B: !GetAtt Table.Arn
                  C: !Sub https://${Api}.example.com/${AWS::Region}
                  D: !Join [",", [a, !Ref Table]]
                  E: 512
                  F: "512"
                  G: true
            """);

        var properties = template.Resources["Fn"]!["Properties"]!;
        Assert.Equal("""{"Ref":"Table"}""", properties["A"]!.ToJsonString());
        Assert.Equal("""{"Fn::GetAtt":["Table","Arn"]}""", properties["B"]!.ToJsonString());
        Assert.Equal("""{"Fn::Sub":"https://${Api}.example.com/${AWS::Region}"}""", properties["C"]!.ToJsonString());
        Assert.Equal("""{"Fn::Join":[",",["a",{"Ref":"Table"}]]}""", properties["D"]!.ToJsonString());
        Assert.Equal(512, properties["E"]!.GetValue<int>());
        Assert.Equal("512", properties["F"]!.GetValue<string>());
        Assert.True(properties["G"]!.GetValue<bool>());
    }

    [Fact]
    public void Function_properties_merge_globals_as_SAM_does()
    {
        var template = Load("""
            Globals:
              Function:
                Timeout: 10
                MemorySize: 512
                Environment:
                  Variables:
                    TABLE_NAME: !Ref Table
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  MemorySize: 1024
                  Environment:
                    Variables:
                      EXTRA: x
            """);

        var properties = template.FunctionProperties("Fn");

        Assert.Equal(10, properties["Timeout"]!.GetValue<int>());
        Assert.Equal(1024, properties["MemorySize"]!.GetValue<int>());
        Assert.Equal("x", properties["Environment"]!["Variables"]!["EXTRA"]!.GetValue<string>());
        Assert.Equal("""{"Ref":"Table"}""", properties["Environment"]!["Variables"]!["TABLE_NAME"]!.ToJsonString());
    }

    [Fact]
    public void The_resolver_resolves_refs_attributes_subs_and_joins_to_local_values()
    {
        var resolver = new IntrinsicResolver(
            new Dictionary<string, JsonNode?> { ["Table"] = "serverless-local-Table", ["AWS::Region"] = "us-east-1",
                ["Origins"] = new JsonArray("a", "b") },
            new Dictionary<string, string> { ["Table.Arn"] = "arn:aws:dynamodb:us-east-1:000000000000:table/serverless-local-Table" });

        Assert.Equal("serverless-local-Table", resolver.ResolveString(JsonNode.Parse("""{"Ref":"Table"}""")));
        Assert.Equal("arn:aws:dynamodb:us-east-1:000000000000:table/serverless-local-Table",
            resolver.ResolveString(JsonNode.Parse("""{"Fn::GetAtt":["Table","Arn"]}""")));
        Assert.Equal("https://cognito-idp.us-east-1.amazonaws.com/serverless-local-Table ${literal}",
            resolver.ResolveString(
                JsonNode.Parse("""{"Fn::Sub":"https://cognito-idp.${AWS::Region}.amazonaws.com/${Table} ${!literal}"}""")));
        Assert.Equal("a|b", resolver.ResolveString(JsonNode.Parse("""{"Fn::Join":["|",{"Ref":"Origins"}]}""")));
        Assert.Throws<KeyNotFoundException>(() => resolver.Resolve(JsonNode.Parse("""{"Ref":"Nope"}""")));
    }

    [Fact]
    public void The_repositorys_template_loads_with_the_profile_functions_and_the_table()
    {
        var template = SamTemplate.Load(Path.Combine(LocalCloudOptions.FindRepoRoot(AppContext.BaseDirectory), "template.yaml"));

        Assert.Equal(["ProfileApiFunction", "CreateProfileFunction", "PurgeAccountFunction", "UploadsApiFunction", "ProcessUploadFunction",
            "FailStrandedUploadFunction", "SweepStrandedUploadsFunction", "PredictionsApiFunction", "UsageApiFunction",
                "MeterUsageFunction"],
            template.ResourcesOfType("AWS::Serverless::Function").Select(function => function.LogicalId));
        Assert.Equal("NEW_AND_OLD_IMAGES",
            template.Resources["Table"]!["Properties"]!["StreamSpecification"]!["StreamViewType"]!.GetValue<string>());
        Assert.Equal("provided.al2023", template.FunctionProperties("ProfileApiFunction")["Runtime"]!.GetValue<string>());
    }

    [Fact]
    public void Parameter_overrides_replace_the_defaults_that_refs_resolve_to()
    {
        var template = Load("""
            Parameters:
              Origins:
                Type: CommaDelimitedList
                Default: http://localhost:5173
              Level:
                Type: String
                Default: INFO
                AllowedValues: [INFO, DEBUG]
            """);

        var overridden = template.WithParameterValues(
            new Dictionary<string, string> { ["Origins"] = "http://localhost:5174,https://app.example.com" });

        Assert.Equal(["http://localhost:5174", "https://app.example.com"],
            LocalResources.TemplateValues(overridden).Refs["Origins"]!.AsArray().Select(origin => origin!.GetValue<string>()));
        Assert.Equal("INFO", LocalResources.TemplateValues(overridden).Refs["Level"]!.GetValue<string>());
        Assert.Equal("http://localhost:5173", template.Parameters["Origins"]!["Default"]!.GetValue<string>());
        Assert.Equal("Parameters: [Nope, Other] do not exist in the template", Assert.Throws<InvalidDataException>(() =>
            template.WithParameterValues(new Dictionary<string, string> { ["Nope"] = "x", ["Origins"] = "y", ["Other"] = "z" })).Message);
        Assert.Equal("Parameter 'Level' must be one of AllowedValues", Assert.Throws<InvalidDataException>(() =>
            template.WithParameterValues(new Dictionary<string, string> { ["Level"] = "LOUD" })).Message);
    }
}
