using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Serverless.Local.Tests.Template;

// Template structure: sections, parameters, resources' types and attributes, outputs.
internal sealed partial class TemplateValidator
{
    private static readonly HashSet<string> TemplateSections =
    [
        "AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules", "Mappings", "Conditions",
        "Transform", "Resources", "Outputs", "Globals",
    ];

    private static readonly HashSet<string> ResourceAttributes =
    [
        "Type", "Properties", "DependsOn", "Metadata", "Condition", "DeletionPolicy", "UpdateReplacePolicy",
        "CreationPolicy", "UpdatePolicy",
    ];

    private static readonly HashSet<string> ParameterKeys =
    [
        "Type", "Default", "Description", "AllowedValues", "AllowedPattern", "ConstraintDescription", "MaxLength",
        "MinLength", "MaxValue", "MinValue", "NoEcho",
    ];

    private static readonly HashSet<string> OutputKeys = ["Description", "Value", "Export", "Condition"];

    private static readonly Regex ParameterType = new(
        @"^(String|Number|List<Number>|CommaDelimitedList|AWS::[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+" +
        @"|List<AWS::[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+>|AWS::SSM::Parameter::Name|AWS::SSM::Parameter::Value<.+>)$");

    private void CheckSections()
    {
        foreach (var (section, _) in root)
        {
            if (!TemplateSections.Contains(section))
            {
                Report(section, $"unknown template section{Hint(section, TemplateSections)}");
            }
        }
        if (root["Resources"] is not JsonObject)
        {
            Report("Resources", "missing required section");
        }
        // SAM's guide: "list AWS::LanguageExtensions in the Transform section before AWS::Serverless-2016-10-31".
        if (root["Transform"] is JsonArray transforms)
        {
            var names = transforms.Select(t => t?.ToString()).ToList();
            var (extensions, sam) = (names.IndexOf("AWS::LanguageExtensions"), names.IndexOf("AWS::Serverless-2016-10-31"));
            if (sam >= 0 && extensions > sam)
            {
                Report("Transform", "AWS::LanguageExtensions must come before AWS::Serverless-2016-10-31");
            }
        }
    }

    private void CheckParameters()
    {
        foreach (var (name, parameter) in parameters)
        {
            var path = $"Parameters.{name}";
            if (parameter is not JsonObject p)
            {
                Report(path, "expected an object");
                continue;
            }
            foreach (var (key, _) in p)
            {
                if (!ParameterKeys.Contains(key))
                {
                    Report($"{path}.{key}", $"unknown parameter property{Hint(key, ParameterKeys)}");
                }
            }
            var type = (p["Type"] as JsonValue)?.ToString();
            if (type is null)
            {
                Report($"{path}.Type", "missing required property");
            }
            else if (!ParameterType.IsMatch(type))
            {
                Report($"{path}.Type", $"unknown parameter type '{type}'");
            }
        }
    }

    private void CheckResource(string logicalId, JsonNode? node)
    {
        var path = $"Resources.{logicalId}";
        if (node is not JsonObject resource)
        {
            Report(path, "expected a resource object");
            return;
        }
        var type = TypeOf(resource);
        var isSam = type?.StartsWith("AWS::Serverless::", StringComparison.Ordinal) == true;
        foreach (var (key, _) in resource)
        {
            if (!ResourceAttributes.Contains(key) && !(isSam && SamResourceAttributes.Contains(key)))
            {
                Report($"{path}.{key}", $"unknown resource attribute{Hint(key, ResourceAttributes)}");
            }
        }
        CheckDependsOnAndCondition(resource, path);
        if (type is null)
        {
            Report($"{path}.Type", "missing required resource type");
            return;
        }
        TypeSpec? typeSpec;
        if (type.StartsWith("Custom::", StringComparison.Ordinal))
        {
            typeSpec = spec.ResourceTypes.GetValueOrDefault("AWS::CloudFormation::CustomResource");
        }
        else if (!spec.ResourceTypes.TryGetValue(type, out typeSpec))
        {
            Report($"{path}.Type", $"unknown resource type '{type}'{Hint(type, spec.ResourceTypes.Keys)}");
            return;
        }
        if (typeSpec is null)
        {
            return;
        }
        if (typeSpec.RequiredTransform is { } transform && !HasTransform(transform))
        {
            Report($"{path}.Type", $"{type} needs Transform: {transform}");
        }
        var inherited = isSam && globals[type["AWS::Serverless::".Length..]] is JsonObject bag
            ? bag.Select(pair => pair.Key).ToHashSet()
            : [];
        var shape = new ObjectShape(type.StartsWith("Custom::", StringComparison.Ordinal) ? "AWS::CloudFormation::CustomResource"
            : type, typeSpec);
        var properties = resource["Properties"];
        if (properties is null)
        {
            var missing = (typeSpec.Properties ?? []).Where(p => p.Value.Required && !inherited.Contains(p.Key)).Select(p =>
                p.Key).ToList();
            foreach (var name in missing)
            {
                Report($"{path}.Properties.{name}", $"missing required property of {type}");
            }
            return;
        }
        CheckObject(properties, shape, $"{path}.Properties", inherited, checkRequired: true);
    }

    private void CheckDependsOnAndCondition(JsonObject resource, string path)
    {
        var dependsOn = resource["DependsOn"] switch
        {
            JsonArray list => list.Select(n => (n as JsonValue)?.ToString()),
            JsonValue one => [one.ToString()],
            _ => [],
        };
        foreach (var target in dependsOn)
        {
            if (target is null || !resources.ContainsKey(target))
            {
                Report($"{path}.DependsOn", $"DependsOn names '{target}', which is not a resource of the template");
            }
        }
        if (resource["Condition"] is JsonValue condition && root["Conditions"]?[condition.ToString()] is null)
        {
            Report($"{path}.Condition", $"unknown condition '{condition}'");
        }
        CheckPolicy(resource["DeletionPolicy"], $"{path}.DeletionPolicy", "deletion",
            ["Delete", "Retain", "RetainExceptOnCreate", "Snapshot"]);
        CheckPolicy(resource["UpdateReplacePolicy"], $"{path}.UpdateReplacePolicy", "update replace", ["Delete", "Retain", "Snapshot"]);
    }

    /// <summary>
    /// A DeletionPolicy or UpdateReplacePolicy: one of its options, or (only under the AWS::LanguageExtensions transform, as
    /// CloudFormation documents in "Intrinsic function references in DeletionPolicy and UpdateReplacePolicy attributes") an
    /// intrinsic function; both branches of an Fn::If must be options.
    /// </summary>
    private void CheckPolicy(JsonNode? policy, string path, string kind, string[] options)
    {
        switch (policy)
        {
            case JsonValue value when !options.Contains(value.ToString()):
                Report(path, $"unknown {kind} policy '{value}'");
                break;
            case JsonObject intrinsic when !HasTransform("AWS::LanguageExtensions"):
                Report(path, $"an intrinsic function in {path.Split('.')[^1]} needs Transform: AWS::LanguageExtensions");
                break;
            case JsonObject intrinsic when intrinsic["Fn::If"] is JsonArray { Count: 3 } branches:
                CheckPolicy(branches[1], path, kind, options);
                CheckPolicy(branches[2], path, kind, options);
                break;
        }
    }

    private void CheckOutputs()
    {
        foreach (var (name, output) in root["Outputs"] as JsonObject ?? [])
        {
            var path = $"Outputs.{name}";
            if (output is not JsonObject o)
            {
                Report(path, "expected an object");
                continue;
            }
            foreach (var (key, _) in o)
            {
                if (!OutputKeys.Contains(key))
                {
                    Report($"{path}.{key}", $"unknown output property{Hint(key, OutputKeys)}");
                }
            }
            if (!o.ContainsKey("Value"))
            {
                Report($"{path}.Value", "missing required property of an output");
            }
        }
    }
}
