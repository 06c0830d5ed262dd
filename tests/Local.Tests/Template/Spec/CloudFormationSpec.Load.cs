using System.Text.Json;

namespace Serverless.Local.Tests.Template;

// Reading specification.json, with the addenda for what AWS added after the pinned spec and the corrections of what it gets wrong.
public sealed partial class CloudFormationSpec
{
    /// <summary>
    /// Additions to the pinned specification, in its own format, for what AWS added after <c>@aws-cdk/cfnspec</c> was
    /// last published (2.105.0-alpha.0, spec 130.1.0). Every entry must be absent from the pinned spec
    /// (<see cref="AddendaAlreadyInSpec"/>); a bump of the pin that brings them makes that test ask for their removal.
    /// <list type="bullet">
    /// <item><c>LoggingConfig</c> of AWS::Lambda::Function and AWS::Serverless::Function (Lambda advanced logging,
    /// 16 Nov 2023; SAM passes it straight to AWS::Lambda::Function):
    /// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-lambda-function-loggingconfig.html,
    /// https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html
    /// (LoggingConfig)</item>
    /// <item><c>FunctionResponseTypes</c> (SAM 1.36, 2021) and <c>FilterCriteria</c> (SAM 1.41, 2021) of a SAM <c>DynamoDB</c> event,
    /// passed straight to AWS::Lambda::EventSourceMapping (the spec's SAM part never got them):
    /// https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-dynamodb.html</item>
    /// <item><c>AccessLogSettings</c> of AWS::Serverless::HttpApi, the name SAM reads (passed to the AWS::ApiGatewayV2::Stage's
    /// AccessLogSettings); the pinned spec has only <c>AccessLogSetting</c>, AWS::Serverless::Api's name, which SAM ignores on an
    /// HTTP API: https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-httpapi.html
    /// (AccessLogSettings)</item>
    /// </list>
    /// </summary>
    public const string Addenda = """
        {
          "ResourceTypes": {
            "AWS::Lambda::Function": { "Properties": { "LoggingConfig": { "Type": "LoggingConfig", "Required": false } } },
            "AWS::Serverless::Function": { "Properties": { "LoggingConfig": { "Type": "LoggingConfig", "Required": false } } },
            "AWS::Serverless::HttpApi": { "Properties": { "AccessLogSettings": { "Type": "AccessLogSetting", "Required": false } } }
          },
          "PropertyTypes": {
            "AWS::Lambda::Function.LoggingConfig": { "Properties": {
              "ApplicationLogLevel": { "PrimitiveType": "String", "Required": false },
              "LogFormat": { "PrimitiveType": "String", "Required": false },
              "LogGroup": { "PrimitiveType": "String", "Required": false },
              "SystemLogLevel": { "PrimitiveType": "String", "Required": false } } },
            "AWS::Serverless::Function.DynamoDBEvent": { "Properties": {
              "FilterCriteria": { "Type": "FilterCriteria", "Required": false },
              "FunctionResponseTypes": { "Type": "List", "PrimitiveItemType": "String", "Required": false } } },
            "AWS::Serverless::Function.FilterCriteria": { "Properties": {
              "Filters": { "Type": "List", "ItemType": "Filter", "Required": false } } },
            "AWS::Serverless::Function.Filter": { "Properties": {
              "Pattern": { "PrimitiveType": "String", "Required": false } } },
            "AWS::Serverless::Function.LoggingConfig": { "Properties": {
              "ApplicationLogLevel": { "PrimitiveType": "String", "Required": false },
              "LogFormat": { "PrimitiveType": "String", "Required": false },
              "LogGroup": { "PrimitiveType": "String", "Required": false },
              "SystemLogLevel": { "PrimitiveType": "String", "Required": false } } }
          }
        }
        """;

    /// <summary>
    /// Corrections of the pinned specification where it contradicts AWS's documentation, in its own format: each
    /// property given here replaces the pinned one. Every entry must name a property the pinned spec has and differ from
    /// it (<see cref="CorrectionsNotNeeded"/>); a bump of the pin that fixes one makes that test ask for its removal.
    /// <list type="bullet">
    /// <item><c>OnSuccess</c> and <c>OnFailure</c> of AWS::Serverless::Function.EventInvokeDestinationConfig are both
    /// optional ("Required: No"; the pinned spec marks both required, so an on-failure destination alone would not
    /// validate):
    /// https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/
    /// sam-property-function-eventinvokedestinationconfiguration.html</item>
    /// <item><c>Enabled</c> of AWS::Serverless::Function.DeploymentPreference is optional ("Required: No", default true; the
    /// pinned spec marks it required, so a deployment preference of only a Type would not validate):
    /// https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-deploymentpreference.html
    /// </item>
    /// </list>
    /// </summary>
    public const string Corrections = """
        {
          "PropertyTypes": {
            "AWS::Serverless::Function.EventInvokeDestinationConfig": { "Properties": {
              "OnFailure": { "Type": "Destination", "Required": false },
              "OnSuccess": { "Type": "Destination", "Required": false } } },
            "AWS::Serverless::Function.DeploymentPreference": { "Properties": {
              "Enabled": { "PrimitiveType": "Boolean", "Required": false } } }
          }
        }
        """;

    private sealed class SpecFile
    {
        public string? ResourceSpecificationVersion { get; set; }
        public Dictionary<string, TypeSpec>? ResourceTypes { get; set; }
        public Dictionary<string, TypeSpec>? PropertyTypes { get; set; }
    }

    /// <summary>Reads specification.json, with <see cref="Addenda"/> merged in and <see cref="Corrections"/> applied
    /// unless <paramref name="asPinned"/>.</summary>
    public static CloudFormationSpec Load(string path, bool asPinned = false)
    {
        SpecFile file;
        using (var stream = File.OpenRead(path))
        {
            file = JsonSerializer.Deserialize<SpecFile>(stream)
                ?? throw new InvalidDataException($"{path} is not a CloudFormation resource specification.");
        }
        var resources = file.ResourceTypes ?? throw new InvalidDataException($"{path} has no ResourceTypes.");
        var properties = file.PropertyTypes ?? throw new InvalidDataException($"{path} has no PropertyTypes.");
        var already = new List<string>();
        var notNeeded = new List<string>();
        if (!asPinned)
        {
            var addenda = JsonSerializer.Deserialize<SpecFile>(Addenda)!;
            Merge(resources, addenda.ResourceTypes!, "ResourceTypes", already);
            Merge(properties, addenda.PropertyTypes!, "PropertyTypes", already);
            var corrections = JsonSerializer.Deserialize<SpecFile>(Corrections)!;
            Correct(properties, corrections.PropertyTypes!, "PropertyTypes", notNeeded);
        }
        return new CloudFormationSpec(file.ResourceSpecificationVersion ?? "?", resources, properties, already, notNeeded);
    }

    private static void Correct(Dictionary<string, TypeSpec> target, Dictionary<string, TypeSpec> corrections, string section,
        List<string> notNeeded)
    {
        foreach (var (name, correction) in corrections)
        {
            foreach (var (property, spec) in correction.Properties!)
            {
                if (target.GetValueOrDefault(name)?.Properties is not { } existing || !existing.TryGetValue(property, out var pinned))
                {
                    notNeeded.Add($"{section}.{name}.{property} (not in the pinned spec: an addendum, not a correction)");
                    continue;
                }
                if (JsonSerializer.Serialize(pinned) == JsonSerializer.Serialize(spec))
                {
                    notNeeded.Add($"{section}.{name}.{property} (the pinned spec already says so)");
                }
                existing[property] = spec;
            }
        }
    }

    private static void Merge(Dictionary<string, TypeSpec> target, Dictionary<string, TypeSpec> additions, string section,
        List<string> already)
    {
        foreach (var (name, addition) in additions)
        {
            if (!target.TryGetValue(name, out var existing))
            {
                target[name] = addition;
                continue;
            }
            if (addition.Properties is null || existing.Properties is null)
            {
                already.Add($"{section}.{name}");
                continue;
            }
            foreach (var (property, spec) in addition.Properties)
            {
                if (!existing.Properties.TryAdd(property, spec))
                {
                    already.Add($"{section}.{name}.{property}");
                }
            }
        }
    }
}
