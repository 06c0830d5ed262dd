using Xunit.Abstractions;
using static Serverless.Local.Tests.Template.CloudFormationSpecFixture;

namespace Serverless.Local.Tests.Template;

/// <summary>The validator on a template full of mistakes: each kind of error is reported, with its path, and nothing else.</summary>
[Collection(CloudFormationSpecCollection.Name)]
public sealed class SpecFindingTests(CloudFormationSpecFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public void The_validator_reports_each_kind_of_error_with_its_path()
    {
        var template = Load("""
            AWSTemplateFormatVersion: "2010-09-09"
            Transform: AWS::Serverless-2016-10-31
            Parameters:
              Origins:
                Type: CommaDelimitedList
            Globals:
              Function:
                Timeout: ten
                Colour: blue
            Resources:
              UserPool:
                Type: AWS::Cognito::UserPool
                Properties:
                  Policies:
                    PasswordPolicy:
                      MinLength: 8
                      RequireLowercase: sometimes
              Table:
                Type: AWS::DynamoDB::Table
                Properties:
                  BillingMode: PAY_PER_REQUEST
                  AttributeDefinitions:
                    - AttributeName: PK
                      AttributeType: S
              Permission:
                Type: AWS::Lambda::Permission
                Properties:
                  Action: lambda:InvokeFunction
                  FunctionName: !GetAtt Fn.Arn
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: Fn
                  Description: !Ref Origins
                  Architectures: x86_64
                  Environment:
                    Variables:
                      STREAM: !GetAtt Table.StreamArnX
                      NAME: !Ref Tabel
                      URL: !Sub https://${Api}.example.com/${Table.Arn}
                  Events:
                    Get:
                      Type: HttpApi
                      Properties:
                        Path: /x
                        Method: GET
                        Verb: GET
                    Carrier:
                      Type: CarrierPigeon
                      Properties: {}
              Thing:
                Type: AWS::Nope::Thing
            """);

        var findings = fixture.Spec.Validate(template).Findings;
        output.WriteLine(string.Join(Environment.NewLine, findings));

        void Expect(string path, string message) =>
            Assert.True(findings.Any(f => f.Path == path && f.Message.Contains(message, StringComparison.Ordinal)),
                $"expected '{path}: ...{message}...' among:{Environment.NewLine}{Describe(findings)}");

        // unknown property, deep in a nested property type, with a hint
        Expect("Resources.UserPool.Properties.Policies.PasswordPolicy.MinLength",
            "unknown property of AWS::Cognito::UserPool.PasswordPolicy; did you mean 'MinimumLength'?");
        // wrong primitive types
        Expect("Resources.UserPool.Properties.Policies.PasswordPolicy.RequireLowercase", "expected Boolean, got String \"sometimes\"");
        Expect("Resources.Fn.Properties.Architectures", "expected List<String>, got String \"x86_64\"");
        Expect("Resources.Fn.Properties.Description", "expected String, got Ref to CommaDelimitedList parameter Origins (a list)");
        // missing required properties
        Expect("Resources.Permission.Properties.Principal", "missing required property of AWS::Lambda::Permission");
        Expect("Resources.Table.Properties.KeySchema", "missing required property of AWS::DynamoDB::Table");
        // unknown GetAtt attribute (plain and inside Fn::Sub), unknown Refs
        Expect("Resources.Fn.Properties.Environment.Variables.STREAM",
            "unknown attribute 'StreamArnX' of AWS::DynamoDB::Table in Fn::GetAtt Table.StreamArnX (the spec lists: Arn, StreamArn)");
        Expect("Resources.Fn.Properties.Environment.Variables.NAME",
            "Ref to unknown 'Tabel': no parameter, resource or pseudo parameter has that name; did you mean 'Table'?");
        Expect("Resources.Fn.Properties.Environment.Variables.URL", "Fn::Sub ${Api}: Ref to unknown 'Api'");
        // Globals, SAM events, resource types
        Expect("Globals.Function.Timeout", "expected Integer, got String \"ten\"");
        Expect("Globals.Function.Colour", "unknown property of AWS::Serverless::Function");
        Expect("Resources.Fn.Properties.Events.Get.Properties.Verb", "unknown property of AWS::Serverless::Function.HttpApiEvent");
        Expect("Resources.Fn.Properties.Events.Carrier.Type", "unknown event type 'CarrierPigeon'");
        Expect("Resources.Thing.Type", "unknown resource type 'AWS::Nope::Thing'");

        // ... and nothing else: the valid parts of the same template raise nothing.
        Assert.Equal(14, findings.Count);
    }
}
