using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serverless.Local.Tests.Template;

// Intrinsic functions where the spec expects a value: whether what they produce (a single value or a list) fits.
internal sealed partial class TemplateValidator
{
    private enum Produces
    {
        Any,
        Scalar,
        List,
    }

    private static (string Function, JsonNode? Argument)? AsIntrinsic(JsonNode node) =>
        node is JsonObject { Count: 1 } obj && obj.First() is var (key, argument)
        && (key == "Ref" || key.StartsWith("Fn::", StringComparison.Ordinal))
            ? (key, argument)
            : null;

    private void CheckIntrinsic(string function, JsonNode? argument, Shape shape, string path)
    {
        if (shape is PrimitiveShape { Name: "Json" })
        {
            return;
        }
        Produces produces;
        string what;
        switch (function)
        {
            case "Fn::If" when argument is JsonArray { Count: 3 } branches:
                Check(branches[1], shape, path);
                Check(branches[2], shape, path);
                return;
            case "Ref":
                (produces, what) = RefProduces(argument);
                break;
            case "Fn::GetAtt":
                (produces, what) = GetAttProduces(argument);
                break;
            case "Fn::Sub" or "Fn::Join" or "Fn::Base64" or "Fn::ToJsonString" or "Fn::Length":
                (produces, what) = (Produces.Scalar, $"{function} (a single value)");
                break;
            case "Fn::Split" or "Fn::GetAZs" or "Fn::Cidr":
                (produces, what) = (Produces.List, $"{function} (a list)");
                break;
            default: // Fn::Select, Fn::FindInMap, Fn::ImportValue, Fn::Transform...: any shape
                return;
        }
        if (produces == Produces.Scalar && !shape.AcceptsScalar || produces == Produces.List && !shape.AcceptsList)
        {
            Report(path, $"expected {shape.Describe()}, got {what}");
        }
    }

    private (Produces, string) RefProduces(JsonNode? argument)
    {
        if (argument is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
        {
            return (Produces.Any, "Ref");
        }
        var name = value.GetValue<string>();
        if (name == "AWS::NoValue")
        {
            return (Produces.Any, "Ref");
        }
        if (name == "AWS::NotificationARNs")
        {
            return (Produces.List, $"Ref to {name} (a list)");
        }
        if (parameters[name] is JsonObject parameter)
        {
            var type = (parameter["Type"] as JsonValue)?.ToString() ?? "String";
            var isList = type == "CommaDelimitedList" || type.StartsWith("List<", StringComparison.Ordinal)
                || type.StartsWith("AWS::SSM::Parameter::Value<List<", StringComparison.Ordinal)
                || type == "AWS::SSM::Parameter::Value<CommaDelimitedList>";
            return isList
                ? (Produces.List, $"Ref to {type} parameter {name} (a list)")
                : (Produces.Scalar, $"Ref to {type} parameter {name} (a single value)");
        }
        return CloudFormationSpec.PseudoParameters.Contains(name) || resources.ContainsKey(name) || generated.ContainsKey(name)
            ? (Produces.Scalar, $"Ref to {name} (a single value)")
            : (Produces.Any, "Ref");
    }

    private (Produces, string) GetAttProduces(JsonNode? argument)
    {
        if (ParseGetAtt(argument) is not { Attribute: { } attribute } parsed)
        {
            return (Produces.Any, "Fn::GetAtt");
        }
        var target = parsed.Target;
        var type = TargetType(target);
        if (type is null)
        {
            return (Produces.Any, "Fn::GetAtt");
        }
        var generatedType = CloudFormationSpec.SamGeneratedTypes.GetValueOrDefault(type, type);
        var attributeSpec = spec.ResourceTypes.GetValueOrDefault(generatedType)?.Attributes?.GetValueOrDefault(attribute);
        return attributeSpec switch
        {
            null => (Produces.Any, "Fn::GetAtt"),
            { Type: "List" } => (Produces.List, $"Fn::GetAtt {target}.{attribute} (a list)"),
            { PrimitiveType: not null } => (Produces.Scalar, $"Fn::GetAtt {target}.{attribute} (a single value)"),
            _ => (Produces.Any, "Fn::GetAtt"),
        };
    }
}
