using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serverless.Local.Tests.Template;

// What the SAM transform (AWS::Serverless-2016-10-31) adds: the transform itself, Globals, the resources it
// generates (which a template may reference) and event sources typed by their Type.
internal sealed partial class TemplateValidator
{
    private static readonly HashSet<string> SamResourceAttributes = ["Connectors", "IgnoreGlobals"];

    private bool HasSamTransform() => HasTransform("AWS::Serverless-2016-10-31");

    /// <summary>Whether the template's Transform, one name or a list of them, names this transform.</summary>
    private bool HasTransform(string name) => root["Transform"] switch
    {
        JsonValue value => value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() == name,
        JsonArray list => list.Any(t => t is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == name),
        _ => false,
    };

    /// <summary>Resources SAM adds that a template may reference: a function's role when it names none,
    /// <c>Fn.Version</c>/<c>Fn.Alias</c> with AutoPublishAlias, the implicit APIs of events without an API id.</summary>
    private void CollectSamGeneratedResources()
    {
        foreach (var (logicalId, resource) in resources)
        {
            if (resource is not JsonObject r || TypeOf(r) != "AWS::Serverless::Function")
            {
                continue;
            }
            var properties = new JsonObject();
            foreach (var source in new[] { globals["Function"], r["Properties"] })
            {
                if (source is JsonObject bag)
                {
                    foreach (var (key, value) in bag)
                    {
                        properties[key] = value?.DeepClone();
                    }
                }
            }
            if (properties["Role"] is null)
            {
                generated[$"{logicalId}Role"] = "AWS::IAM::Role";
            }
            if (properties["AutoPublishAlias"] is not null)
            {
                generated[$"{logicalId}.Version"] = "AWS::Lambda::Version";
                generated[$"{logicalId}.Alias"] = "AWS::Lambda::Alias";
            }
            foreach (var (_, source) in properties["Events"] as JsonObject ?? [])
            {
                var eventType = (source?["Type"] as JsonValue)?.ToString();
                if (eventType == "HttpApi" && source?["Properties"]?["ApiId"] is null)
                {
                    generated["ServerlessHttpApi"] = "AWS::ApiGatewayV2::Api";
                }
                if (eventType == "Api" && source?["Properties"]?["RestApiId"] is null)
                {
                    generated["ServerlessRestApi"] = "AWS::ApiGateway::RestApi";
                }
            }
        }
    }

    private void CheckGlobals()
    {
        if (root["Globals"] is null)
        {
            return;
        }
        if (!HasSamTransform())
        {
            Report("Globals", "Globals needs Transform: AWS::Serverless-2016-10-31");
        }
        foreach (var (section, bag) in globals)
        {
            var type = $"AWS::Serverless::{section}";
            if (!spec.ResourceTypes.TryGetValue(type, out var typeSpec))
            {
                Report($"Globals.{section}", "unknown Globals section (no AWS::Serverless:: type of that name in the spec)");
                continue;
            }
            // Globals are properties of the type; required ones may be left to each resource.
            CheckObject(bag, new ObjectShape(type, typeSpec), $"Globals.{section}", requiredSatisfiedBy: null, checkRequired: false);
        }
    }

    /// <summary>The keys Globals gives the object at <paramref name="path"/> inside a SAM resource's properties: SAM merges a
    /// resource's maps with those of Globals, so a function's DeploymentPreference may take its required Type from Globals.</summary>
    private HashSet<string> InheritedFromGlobals(string path)
    {
        var parts = path.Split('.');
        if (parts.Length < 4 || parts[0] != "Resources" || parts[2] != "Properties" || parts.Any(part => part.Contains('['))
            || resources[parts[1]] is not JsonObject resource || TypeOf(resource) is not { } type
            || !type.StartsWith("AWS::Serverless::", StringComparison.Ordinal))
        {
            return [];
        }
        var node = globals[type["AWS::Serverless::".Length..]];
        foreach (var key in parts[3..])
        {
            node = (node as JsonObject)?[key];
        }
        return node is JsonObject bag ? bag.Select(pair => pair.Key).ToHashSet() : [];
    }

    /// <summary>The alternative of a SAM event source's <c>Properties</c> union that its <c>Type</c> names
    /// (<c>HttpApi</c> → <c>HttpApiEvent</c>); null, reported, when the spec knows no such event type.</summary>
    private ObjectShape? EventShape(UnionShape union, string eventType, ObjectShape shape, string path)
    {
        var choices = union.Alternatives.OfType<ObjectShape>().ToList();
        var chosen = choices.FirstOrDefault(c => c.ShortName == eventType + "Event");
        if (chosen is null)
        {
            var known = string.Join(", ", choices.Select(c => c.ShortName.EndsWith("Event", StringComparison.Ordinal)
                ? c.ShortName[..^5] : c.ShortName));
            Report($"{path}.Type", $"unknown event type '{eventType}' for {shape.Name} (the spec knows: {known})");
        }
        return chosen;
    }
}
