using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serverless.Local.Tests.Template;

// Values against the shapes the spec gives them: primitives, property types, lists, maps and SAM's unions.
internal sealed partial class TemplateValidator
{
    private void Check(JsonNode? value, Shape shape, string path)
    {
        checkedPaths.Add((path, shape.Describe()));
        if (value is null)
        {
            Report(path, $"expected {shape.Describe()}, got null");
            return;
        }
        if (AsIntrinsic(value) is { } intrinsic)
        {
            CheckIntrinsic(intrinsic.Function, intrinsic.Argument, shape, path);
            return;
        }
        switch (shape)
        {
            case PrimitiveShape primitive:
                CheckPrimitive(value, primitive, path);
                break;
            case ObjectShape objectShape:
                CheckObject(value, objectShape, path, requiredSatisfiedBy: InheritedFromGlobals(path), checkRequired: true);
                break;
            case ListShape list:
                CheckList(value, list, path);
                break;
            case MapShape map:
                if (value is not JsonObject entries)
                {
                    Report(path, $"expected {map.Describe()} (an object), got {Kind(value)}");
                    return;
                }
                foreach (var (key, item) in entries)
                {
                    Check(item, map.Item, $"{path}.{key}");
                }
                break;
            case UnionShape union:
                CheckUnion(value, union, path);
                break;
        }
    }

    private void CheckPrimitive(JsonNode value, PrimitiveShape primitive, string path)
    {
        var kind = value.GetValueKind();
        var text = kind == JsonValueKind.String ? value.GetValue<string>() : null;
        var ok = primitive.Name switch
        {
            // CloudFormation turns numbers and booleans into strings where it expects one.
            "String" => kind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False,
            "Integer" or "Long" => kind == JsonValueKind.Number ? IsWhole(value) : text is not null && long.TryParse(text, out _),
            "Double" => kind == JsonValueKind.Number
                || text is not null && double.TryParse(text, System.Globalization.NumberStyles.Float,
                    System.Globalization.CultureInfo.InvariantCulture, out _),
            "Boolean" => kind is JsonValueKind.True or JsonValueKind.False
                || text is not null && (text.Equals("true", StringComparison.OrdinalIgnoreCase)
                    || text.Equals("false", StringComparison.OrdinalIgnoreCase)),
            "Timestamp" => kind == JsonValueKind.String,
            "Json" => kind is JsonValueKind.Object or JsonValueKind.Array,
            _ => throw new InvalidDataException($"Unknown primitive type {primitive.Name} in the spec."),
        };
        if (!ok)
        {
            Report(path, $"expected {primitive.Name}, got {Kind(value)}");
        }
        else if (primitive.Name == "Json")
        {
            jsonLeaves.Add(path);
        }
    }

    private static bool IsWhole(JsonNode value) =>
        decimal.TryParse(value.ToJsonString(), System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out var number)
        && number == decimal.Truncate(number);

    private void CheckObject(JsonNode? value, ObjectShape shape, string path, ISet<string>? requiredSatisfiedBy, bool checkRequired)
    {
        if (value is not JsonObject obj)
        {
            Report(path, $"expected {shape.Describe()} (an object), got {Kind(value)}");
            return;
        }
        if (AsIntrinsic(obj) is not null)
        {
            Check(obj, shape, path);
            return;
        }
        var properties = shape.Spec.Properties ?? [];
        foreach (var (key, child) in obj)
        {
            var childPath = $"{path}.{key}";
            if (!properties.TryGetValue(key, out var property))
            {
                if (!shape.Spec.AdditionalProperties)
                {
                    Report(childPath, $"unknown property of {shape.Name}{Hint(key, properties.Keys)}");
                }
                continue;
            }
            var childShape = spec.ShapeOf(property, shape.ResourceType);
            // SAM event sources: the sibling Type picks the Properties' type (HttpApi → HttpApiEvent).
            if (key == "Properties" && childShape is UnionShape union && properties.ContainsKey("Type")
                && obj["Type"] is JsonValue discriminator && discriminator.GetValueKind() == JsonValueKind.String)
            {
                if (EventShape(union, discriminator.GetValue<string>(), shape, path) is not { } chosen)
                {
                    continue;
                }
                childShape = chosen;
            }
            Check(child, childShape, childPath);
        }
        if (!checkRequired)
        {
            return;
        }
        foreach (var (name, property) in properties)
        {
            if (property.Required && !obj.ContainsKey(name) && requiredSatisfiedBy?.Contains(name) != true)
            {
                Report($"{path}.{name}", $"missing required property of {shape.Name}");
            }
        }
    }

    private void CheckList(JsonNode value, ListShape list, string path)
    {
        if (value is not JsonArray items)
        {
            Report(path, $"expected {list.Describe()}, got {Kind(value)}");
            return;
        }
        for (var i = 0; i < items.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            // SAM's "inclusive item pattern": an object item maps names to the item type (e.g. RequestParameters).
            if (list.ItemPattern && items[i] is JsonObject pattern && AsIntrinsic(pattern) is null)
            {
                var objectShapes = (list.Item is UnionShape u ? u.Alternatives : [list.Item]).Where(s => s is not PrimitiveShape).ToList();
                if (objectShapes.Count > 0)
                {
                    var itemShape = objectShapes.Count == 1 ? objectShapes[0] : new UnionShape(objectShapes);
                    foreach (var (key, entry) in pattern)
                    {
                        Check(entry, itemShape, $"{itemPath}.{key}");
                    }
                    continue;
                }
            }
            Check(items[i], list.Item, itemPath);
        }
    }

    private void CheckUnion(JsonNode value, UnionShape union, string path)
    {
        var kind = value.GetValueKind();
        var candidates = union.Alternatives.Where(alternative => kind switch
        {
            JsonValueKind.Array => alternative.AcceptsList,
            JsonValueKind.Object => alternative is ObjectShape or MapShape || alternative is PrimitiveShape { Name: "Json" },
            _ => alternative is PrimitiveShape { Name: not "Json" },
        }).ToList();
        if (candidates.Count == 0)
        {
            Report(path, $"expected {union.Describe()}, got {Kind(value)}");
            return;
        }
        if (candidates.Count == 1)
        {
            Check(value, candidates[0], path);
            return;
        }
        // Several could fit: keep the first that fits cleanly, else the one with the fewest findings.
        (List<SpecFinding> Found, List<(string, string)> Paths, List<string> JsonPaths)? best = null;
        foreach (var candidate in candidates)
        {
            var (f0, c0, j0) = (findings.Count, checkedPaths.Count, jsonLeaves.Count);
            Check(value, candidate, path);
            var found = findings.GetRange(f0, findings.Count - f0);
            var paths = checkedPaths.GetRange(c0, checkedPaths.Count - c0);
            var leaves = jsonLeaves.GetRange(j0, jsonLeaves.Count - j0);
            findings.RemoveRange(f0, found.Count);
            checkedPaths.RemoveRange(c0, paths.Count);
            jsonLeaves.RemoveRange(j0, leaves.Count);
            if (best is null || found.Count < best.Value.Found.Count)
            {
                best = (found, paths, leaves);
            }
            if (found.Count == 0)
            {
                break;
            }
        }
        findings.AddRange(best!.Value.Found);
        checkedPaths.AddRange(best.Value.Paths);
        jsonLeaves.AddRange(best.Value.JsonPaths);
    }
}
