using Xunit.Abstractions;
using static Serverless.Local.Tests.Template.CloudFormationSpecFixture;

namespace Serverless.Local.Tests.Template;

/// <summary>The validator on intrinsic functions: accepted where their result fits, both branches of Fn::If checked.</summary>
[Collection(CloudFormationSpecCollection.Name)]
public sealed class SpecIntrinsicTests(CloudFormationSpecFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public void The_validator_accepts_intrinsics_where_their_result_fits_and_checks_both_branches_of_If()
    {
        var template = Load("""
            Transform: AWS::Serverless-2016-10-31
            Parameters:
              Size: { Type: Number }
              Origins: { Type: CommaDelimitedList }
            Conditions:
              Big: !Equals [!Ref Size, 1024]
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  MemorySize: !Ref Size
                  Timeout: !If [Big, 30, thirty]
                  Layers: !Split [",", !Sub "a,b"]
                  Architectures: !Sub x86_64
                  Tags: !If [Big, { size: big }, !Ref AWS::NoValue]
                  Role: !GetAtt PlainRole.Arn
                  Events:
                    Get:
                      Type: HttpApi
                      Properties: { Path: /x, Method: GET }
              Plain:
                Type: AWS::Serverless::Function
                Properties: { Handler: Plain }
              Api:
                Type: AWS::Serverless::HttpApi
                Properties:
                  CorsConfiguration: true
                  Description: !Sub "${ServerlessHttpApi} ${!NotARef} ${Fn.Arn}"
            """);

        var findings = fixture.Spec.Validate(template).Findings;
        output.WriteLine(string.Join(Environment.NewLine, findings));

        Assert.Collection(findings.OrderBy(f => f.Path, StringComparer.Ordinal),
            f => Assert.Equal("Resources.Fn.Properties.Architectures: expected List<String>, got Fn::Sub (a single value)", f.ToString()),
            f => Assert.Equal("Resources.Fn.Properties.Timeout: expected Integer, got String \"thirty\"", f.ToString()));
    }

    [Fact]
    public void Intrinsic_deletion_and_replace_policies_need_the_language_extensions_transform_and_valid_branches()
    {
        const string Resources = """
            Parameters:
              Stage: { Type: String, AllowedValues: [dev, prod] }
            Conditions:
              IsProd: !Equals [!Ref Stage, prod]
            Resources:
              Queue:
                Type: AWS::SQS::Queue
                DeletionPolicy: !If [IsProd, Retain, Delete]
                UpdateReplacePolicy: !If [IsProd, Retain, Keep]
              Other:
                Type: AWS::SQS::Queue
                DeletionPolicy: Retain
                UpdateReplacePolicy: RetainExceptOnCreate
            """;
        var extended = fixture.Spec.Validate(Load("Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]\n" + Resources))
            .Findings;
        var plain = fixture.Spec.Validate(Load("Transform: AWS::Serverless-2016-10-31\n" + Resources)).Findings;
        var misordered = fixture.Spec.Validate(Load("Transform: [AWS::Serverless-2016-10-31, AWS::LanguageExtensions]\n" + Resources))
            .Findings;
        output.WriteLine(string.Join(Environment.NewLine, extended.Concat(plain)));

        Assert.Equal([
                "Resources.Other.UpdateReplacePolicy: unknown update replace policy 'RetainExceptOnCreate'",
                "Resources.Queue.UpdateReplacePolicy: unknown update replace policy 'Keep'",
            ],
            extended.Select(f => f.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal([
                "Resources.Other.UpdateReplacePolicy: unknown update replace policy 'RetainExceptOnCreate'",
                "Resources.Queue.DeletionPolicy: an intrinsic function in DeletionPolicy needs Transform: AWS::LanguageExtensions",
                "Resources.Queue.UpdateReplacePolicy: an intrinsic function in UpdateReplacePolicy needs Transform: "
                    + "AWS::LanguageExtensions",
            ],
            plain.Select(f => f.ToString()).Order(StringComparer.Ordinal));
        Assert.Contains("Transform: AWS::LanguageExtensions must come before AWS::Serverless-2016-10-31",
            misordered.Select(f => f.ToString()));
    }
}
