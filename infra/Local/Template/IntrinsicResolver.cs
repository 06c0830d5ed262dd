using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Serverless.Local.Template;

/// <summary>
/// Resolves <c>Ref</c>, <c>Fn::Sub</c>, <c>Fn::GetAtt</c>, <c>Fn::Join</c>, <c>Fn::Select</c>, <c>Fn::FindInMap</c> and the
/// condition functions against the local cloud's physical values (pseudo parameters, parameters, resources).
/// <paramref name="conditions"/> and <paramref name="mappings"/> are the template's <c>Conditions</c> and <c>Mappings</c>
/// sections (<see cref="SamTemplate.Resolver"/> passes them). As in CloudFormation, <c>Fn::If</c> takes the branch its
/// condition picks, and a property or list item that resolves to <c>Ref AWS::NoValue</c> is left out.
/// </summary>
public sealed partial class IntrinsicResolver(IReadOnlyDictionary<string, JsonNode?> refs, IReadOnlyDictionary<string, string> attributes,
    JsonObject? conditions = null, JsonObject? mappings = null)
{
    /// <summary>What <c>Ref AWS::NoValue</c> resolves to until the object or list holding it leaves it out (compared by
    /// reference).</summary>
    private static readonly JsonValue NoValue = JsonValue.Create("AWS::NoValue");

    public JsonNode? Resolve(JsonNode? node) => ResolveValue(node) is var value && ReferenceEquals(value, NoValue) ? null : value;

    public string ResolveString(JsonNode? node) => Resolve(node) switch
    {
        JsonValue value => value.ToString(),
        null => "",
        var other => throw new InvalidDataException($"Expected a string, got {other.ToJsonString()}."),
    };

    /// <summary>Whether the template's condition of this name holds (<c>Condition</c> of a resource or output, <c>Fn::If</c>).</summary>
    public bool ConditionHolds(string name) => conditions?[name] is { } definition
        ? Boolean(definition)
        : throw new KeyNotFoundException($"Condition {name}: the template defines no such condition.");

    private JsonNode? ResolveValue(JsonNode? node) => node switch
    {
        JsonObject obj when SamTemplate.IsIntrinsic(obj) => ResolveIntrinsic(obj.First().Key, obj.First().Value),
        JsonObject obj => new JsonObject(obj.Select(pair => KeyValuePair.Create(pair.Key, ResolveValue(pair.Value)))
            .Where(pair => !ReferenceEquals(pair.Value, NoValue))),
        JsonArray array => new JsonArray(array.Select(ResolveValue).Where(item => !ReferenceEquals(item, NoValue)).ToArray()),
        _ => node?.DeepClone(),
    };

    private JsonNode? ResolveIntrinsic(string function, JsonNode? argument) => function switch
    {
        "Ref" => Ref(argument!.GetValue<string>()),
        "Fn::GetAtt" => JsonValue.Create(Attribute($"{argument![0]!.GetValue<string>()}.{argument[1]!.GetValue<string>()}")),
        "Fn::Sub" => JsonValue.Create(Sub(argument)),
        "Fn::Join" => JsonValue.Create(string.Join(argument![0]!.GetValue<string>(),
            Flatten(Resolve(argument[1])).Select(item => item!.ToString()))),
        "Fn::Select" => Flatten(Resolve(argument![1]))[
            int.Parse(ResolveString(argument[0]), CultureInfo.InvariantCulture)]?.DeepClone(),
        "Fn::FindInMap" => FindInMap(argument!.AsArray()),
        "Fn::If" => ResolveValue(ConditionHolds(argument![0]!.GetValue<string>()) ? argument[1] : argument[2]),
        _ => throw new NotSupportedException($"The local cloud does not resolve {function}."),
    };

    /// <summary>A condition function's value. <c>Fn::Equals</c> compares its two values as strings, as CloudFormation does
    /// (<c>!Equals [!Ref Size, 1024]</c> holds for the parameter value "1024").</summary>
    private bool Boolean(JsonNode definition)
    {
        if (definition is JsonValue literal) return literal.GetValue<bool>();
        var (function, argument) = definition.AsObject().First();
        return function switch
        {
            "Fn::Equals" => Text(Resolve(argument![0])) == Text(Resolve(argument[1])),
            "Fn::Not" => !Boolean(argument![0]!),
            "Fn::And" => argument!.AsArray().All(item => Boolean(item!)),
            "Fn::Or" => argument!.AsArray().Any(item => Boolean(item!)),
            "Condition" => ConditionHolds(argument!.GetValue<string>()),
            _ => throw new InvalidDataException($"{function} is not a condition function."),
        };
    }

    private static string Text(JsonNode? node) => node switch
    {
        JsonValue value => value.ToString(),
        null => "",
        _ => node.ToJsonString(),
    };

    private JsonNode? FindInMap(JsonArray argument)
    {
        var (map, top, second) = (ResolveString(argument[0]), ResolveString(argument[1]), ResolveString(argument[2]));
        return mappings?[map]?[top]?[second]?.DeepClone()
            ?? throw new KeyNotFoundException($"Fn::FindInMap [{map}, {top}, {second}]: the template's Mappings have no such value.");
    }

    private JsonNode? Ref(string name) => name == "AWS::NoValue" ? NoValue
        : refs.TryGetValue(name, out var value) ? value?.DeepClone()
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
            // A dotted name is an attribute, unless it is a Ref SAM defines with a dot (Fn.Alias, Fn.Version).
            return name.Contains('.') && !name.StartsWith("AWS::", StringComparison.Ordinal) && !refs.ContainsKey(name)
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
