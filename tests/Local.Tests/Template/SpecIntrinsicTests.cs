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
}
