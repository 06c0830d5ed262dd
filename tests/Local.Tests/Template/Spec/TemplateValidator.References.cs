using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Serverless.Local.Tests.Template;

// Ref, Fn::GetAtt and Fn::Sub targets anywhere in the template: parameters, resources, pseudo parameters, the
// resources SAM generates, and Fn::GetAtt attribute names against the spec's attributes.
internal sealed partial class TemplateValidator
{
    private static readonly Regex SubVariable = new(@"\$\{([^}]*)\}");

    private void WalkReferences(JsonNode? node, string path, bool inResources)
    {
        switch (node)
        {
            case JsonObject obj:
                if (AsIntrinsic(obj) is { } intrinsic)
                {
                    var argument = intrinsic.Argument;
                    switch (intrinsic.Function)
                    {
                        case "Ref":
                            CheckRef(argument, path, null, "Ref");
                            break;
                        case "Fn::GetAtt":
                            CheckGetAtt(argument, path, "Fn::GetAtt");
                            break;
                        case "Fn::Sub":
                            CheckSub(argument, path);
                            break;
                    }
                }
                foreach (var (key, child) in obj)
                {
                    // A resource's Metadata is free-form (SAM build hints, cfn-lint settings...).
                    if (inResources && key == "Metadata" && path.Count(c => c == '.') == 1)
                    {
                        continue;
                    }
                    WalkReferences(child, $"{path}.{key}", inResources);
                }
                break;
            case JsonArray list:
                for (var i = 0; i < list.Count; i++)
                {
                    WalkReferences(list[i], $"{path}[{i}]", inResources);
                }
                break;
        }
    }

    private void CheckRef(JsonNode? argument, string path, ISet<string>? locals, string how)
    {
        if (argument is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
        {
            Report(path, $"{how} needs a name, got {Kind(argument)}");
            return;
        }
        var name = value.GetValue<string>();
        references.Add($"{path} -> {how} {name}");
        if (parameters.ContainsKey(name) || resources.ContainsKey(name) || CloudFormationSpec.PseudoParameters.Contains(name)
            || generated.ContainsKey(name) || locals?.Contains(name) == true)
        {
            return;
        }
        var known = parameters.Select(p => p.Key).Concat(resources.Select(r => r.Key)).Concat(CloudFormationSpec.PseudoParameters);
        Report(path, $"{how} to unknown '{name}': no parameter, resource or pseudo parameter has that name{Hint(name, known)}");
    }

    private void CheckGetAtt(JsonNode? argument, string path, string how)
    {
        if (ParseGetAtt(argument) is not { } parsed)
        {
            Report(path, $"{how} needs [resource, attribute] or \"resource.attribute\", got {Kind(argument)}");
            return;
        }
        var (target, attribute) = parsed;
        references.Add($"{path} -> {how} {target}.{attribute ?? "(intrinsic)"}");
        var type = TargetType(target);
        if (type is null)
        {
            if (!resources.ContainsKey(target))
            {
                Report(path, $"{how} {target}.{attribute}: no resource named '{target}'{Hint(target, resources.Select(r => r.Key))}");
            }
            return;
        }
        if (attribute is null)
        {
            return; // the attribute name is itself computed
        }
        if (type.StartsWith("Custom::", StringComparison.Ordinal) || type == "AWS::CloudFormation::CustomResource")
        {
            return;
        }
        var generatedType = CloudFormationSpec.SamGeneratedTypes.GetValueOrDefault(type, type);
        if (!spec.ResourceTypes.ContainsKey(generatedType))
        {
            return; // unknown type, reported with the resource
        }
        if (generatedType == "AWS::CloudFormation::Stack" && attribute.StartsWith("Outputs.", StringComparison.Ordinal))
        {
            return;
        }
        var attributes = spec.AttributesOf(type) ?? [];
        if (attributes.Contains(attribute))
        {
            return;
        }
        var of = generatedType == type ? type : $"{type} (read from the {generatedType} SAM generates)";
        var listed = attributes.Count == 0 ? "the spec lists none"
            : $"the spec lists: {string.Join(", ", attributes.Order(StringComparer.Ordinal))}";
        Report(path, $"unknown attribute '{attribute}' of {of} in {how} {target}.{attribute} ({listed})");
    }

    private void CheckSub(JsonNode? argument, string path)
    {
        string? text = null;
        var locals = new HashSet<string>();
        switch (argument)
        {
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                text = value.GetValue<string>();
                break;
            case JsonArray { Count: 2 } pair when pair[0] is JsonValue value && value.GetValueKind() == JsonValueKind.String:
                text = value.GetValue<string>();
                foreach (var (name, _) in pair[1] as JsonObject ?? [])
                {
                    locals.Add(name);
                }
                break;
            default:
                Report(path, $"Fn::Sub needs a string or [string, variables], got {Kind(argument)}");
                return;
        }
        foreach (Match match in SubVariable.Matches(text))
        {
            var variable = match.Groups[1].Value.Trim();
            if (variable.StartsWith('!'))
            {
                continue; // ${!Literal}
            }
            if (variable.Contains('.') && !locals.Contains(variable))
            {
                CheckGetAtt(JsonValue.Create(variable), path, $"Fn::Sub ${{{variable}}}:");
            }
            else
            {
                CheckRef(JsonValue.Create(variable), path, locals, $"Fn::Sub ${{{variable}}}: Ref");
            }
        }
    }

    private string? TargetType(string logicalId) =>
        resources[logicalId] is JsonObject resource ? TypeOf(resource) : generated.GetValueOrDefault(logicalId);

    private static (string Target, string? Attribute)? ParseGetAtt(JsonNode? argument)
    {
        switch (argument)
        {
            case JsonArray { Count: 2 } pair when pair[0] is JsonValue target && target.GetValueKind() == JsonValueKind.String:
                var attribute = pair[1] is JsonValue a && a.GetValueKind() == JsonValueKind.String ? a.GetValue<string>() : null;
                return (target.GetValue<string>(), attribute);
            case JsonValue text when text.GetValueKind() == JsonValueKind.String && text.GetValue<string>().Contains('.'):
                var parts = text.GetValue<string>().Split('.', 2);
                return (parts[0], parts[1]);
            default:
                return null;
        }
    }
}
