using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Serverless.Local.Template;

/// <summary>
/// Resolves <c>Ref</c>, <c>Fn::Sub</c>, <c>Fn::GetAtt</c>, <c>Fn::Join</c> and <c>Fn::Select</c>
/// against the local cloud's physical values (pseudo parameters, parameters, resources).
/// </summary>
public sealed partial class IntrinsicResolver(IReadOnlyDictionary<string, JsonNode?> refs, IReadOnlyDictionary<string, string> attributes)
{
    public JsonNode? Resolve(JsonNode? node) => node switch
    {
        JsonObject obj when SamTemplate.IsIntrinsic(obj) => ResolveIntrinsic(obj.First().Key, obj.First().Value),
        JsonObject obj => new JsonObject(obj.Select(pair => KeyValuePair.Create(pair.Key, Resolve(pair.Value)))),
        JsonArray array => new JsonArray(array.Select(Resolve).ToArray()),
        _ => node?.DeepClone(),
    };

    public string ResolveString(JsonNode? node) => Resolve(node) switch
    {
        JsonValue value => value.ToString(),
        null => "",
        var other => throw new InvalidDataException($"Expected a string, got {other.ToJsonString()}."),
    };

    private JsonNode? ResolveIntrinsic(string function, JsonNode? argument) => function switch
    {
        "Ref" => Ref(argument!.GetValue<string>()),
        "Fn::GetAtt" => JsonValue.Create(Attribute($"{argument![0]!.GetValue<string>()}.{argument[1]!.GetValue<string>()}")),
        "Fn::Sub" => JsonValue.Create(Sub(argument)),
        "Fn::Join" => JsonValue.Create(string.Join(argument![0]!.GetValue<string>(),
            Flatten(Resolve(argument[1])).Select(item => item!.ToString()))),
        "Fn::Select" => Flatten(Resolve(argument![1]))[
            int.Parse(ResolveString(argument[0]), System.Globalization.CultureInfo.InvariantCulture)]?.DeepClone(),
        _ => throw new NotSupportedException($"The local cloud does not resolve {function}."),
    };

    private JsonNode? Ref(string name) => refs.TryGetValue(name, out var value)
        ? value?.DeepClone()
        : throw new KeyNotFoundException($"Ref {name}: no such parameter, pseudo parameter or resource.");

    private string Attribute(string name) => attributes.TryGetValue(name, out var value)
        ? value
        : throw new KeyNotFoundException($"GetAtt {name}: the local cloud has no value for it.");

    private string Sub(JsonNode? argument)
    {
        var (text, variables) = argument is JsonArray array
            ? (array[0]!.GetValue<string>(), array[1]!.AsObject())
            : (argument!.GetValue<string>(), new JsonObject());
        return Placeholder().Replace(text, match =>
        {
            var name = match.Groups[1].Value;
            if (name.StartsWith('!')) return "${" + name[1..] + "}";
            if (variables.TryGetPropertyValue(name, out var variable)) return ResolveString(variable);
            return name.Contains('.') && !name.StartsWith("AWS::", StringComparison.Ordinal)
                ? Attribute(name)
                : Ref(name)?.ToString() ?? "";
        });
    }

    private static JsonArray Flatten(JsonNode? node) => node as JsonArray
        ?? (node is JsonValue value && value.TryGetValue<string>(out var text)
            ? new JsonArray(text.Split(',').Select(s => (JsonNode?)s).ToArray())
            : []);

    [GeneratedRegex(@"\$\{([^}]+)\}")]
    private static partial Regex Placeholder();
}
