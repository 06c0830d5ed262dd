using System.Globalization;
using System.Text.Json.Nodes;
using Serverless.Local.Lambda;
using YamlDotNet.RepresentationModel;

namespace Serverless.Local.Template;

/// <summary>
/// <c>template.yaml</c> read as CloudFormation's JSON form: the short intrinsic tags
/// (<c>!Ref</c>, <c>!Sub</c>, <c>!GetAtt</c>, ...) become their long forms (<c>{"Ref": ...}</c>,
/// <c>{"Fn::Sub": ...}</c>), so the rest of the local cloud reads one shape.
/// </summary>
public sealed class SamTemplate(JsonObject root)
{
    public JsonObject Root { get; } = root;
    public JsonObject Resources => Root["Resources"]?.AsObject() ?? [];
    public JsonObject Parameters => Root["Parameters"]?.AsObject() ?? [];
    public JsonObject Outputs => Root["Outputs"]?.AsObject() ?? [];
    public JsonObject Conditions => Root["Conditions"]?.AsObject() ?? [];
    public JsonObject Mappings => Root["Mappings"]?.AsObject() ?? [];

    public static SamTemplate Load(string path)
    {
        using var reader = new StreamReader(path);
        var yaml = new YamlStream();
        yaml.Load(reader);
        return new SamTemplate(ToJson(yaml.Documents[0].RootNode)!.AsObject());
    }

    /// <summary>
    /// The template as a stack deployed with these parameter values (<c>sam deploy --parameter-overrides</c>): each value
    /// becomes its parameter's <c>Default</c>, which every <c>Ref</c> to it resolves to locally. A name the template does not
    /// declare, or a value outside the parameter's <c>AllowedValues</c>, is refused with CloudFormation's message.
    /// </summary>
    public SamTemplate WithParameterValues(IReadOnlyDictionary<string, string> values)
    {
        var unknown = values.Keys.Where(name => !Parameters.ContainsKey(name)).ToList();
        if (unknown.Count > 0)
            throw new InvalidDataException($"Parameters: [{string.Join(", ", unknown)}] do not exist in the template");
        var root = Root.DeepClone().AsObject();
        foreach (var (name, value) in values)
        {
            var parameter = root["Parameters"]![name]!.AsObject();
            if (parameter["AllowedValues"] is JsonArray allowed && !allowed.Any(item => item?.ToString() == value))
                throw new InvalidDataException($"Parameter '{name}' must be one of AllowedValues");
            parameter["Default"] = value;
        }
        return new SamTemplate(root);
    }

    /// <summary>A resolver of this template's intrinsics, its conditions and mappings included.</summary>
    public IntrinsicResolver Resolver(IReadOnlyDictionary<string, JsonNode?> refs, IReadOnlyDictionary<string, string> attributes) =>
        new(refs, attributes, Conditions, Mappings);

    /// <summary>The pseudo parameters as the local cloud gives them and the template's parameters at their defaults.</summary>
    public Dictionary<string, JsonNode?> ParameterRefs()
    {
        var refs = new Dictionary<string, JsonNode?>
        {
            ["AWS::Region"] = LocalAccount.Region,
            ["AWS::AccountId"] = LocalAccount.AccountId,
            ["AWS::StackName"] = LocalCloud.StackName,
            ["AWS::Partition"] = "aws",
            ["AWS::URLSuffix"] = "amazonaws.com",
        };
        foreach (var (name, parameter) in Parameters)
        {
            var value = parameter?["Default"]?.ToString() ?? "";
            refs[name] = parameter?["Type"]?.GetValue<string>() == "CommaDelimitedList"
                ? new JsonArray(value.Split(',').Select(item => (JsonNode?)item.Trim()).ToArray())
                : value;
        }
        return refs;
    }

    /// <summary>
    /// Whether a resource or output is in the stack: it has no <c>Condition</c>, or its condition holds with the parameters'
    /// values. CloudFormation creates nothing else, so the local cloud neither.
    /// </summary>
    public bool Exists(JsonNode? definition) =>
        definition?["Condition"]?.GetValue<string>() is not { } condition
        || (conditionResolver ??= Resolver(ParameterRefs(), new Dictionary<string, string>())).ConditionHolds(condition);

    private IntrinsicResolver? conditionResolver;

    /// <summary>The resources of one type that are in the stack (see <see cref="Exists"/>), by logical id.</summary>
    public IEnumerable<(string LogicalId, JsonObject Properties)> ResourcesOfType(string type) =>
        from resource in Resources
        where resource.Value?["Type"]?.GetValue<string>() == type && Exists(resource.Value)
        select (resource.Key, resource.Value!["Properties"]?.AsObject() ?? new JsonObject());

    /// <summary>
    /// The functions' <c>Events</c> of one <c>Type</c> (<c>HttpApi</c>, <c>S3</c>, <c>DynamoDB</c>, ...): the function's logical id,
    /// the event's name and its <c>Properties</c> (empty when it has none), unresolved.
    /// </summary>
    public IEnumerable<(string LogicalId, string EventName, JsonObject Properties)> FunctionEvents(string type) =>
        from function in ResourcesOfType("AWS::Serverless::Function")
        from trigger in FunctionProperties(function.LogicalId)["Events"]?.AsObject() ?? []
        where trigger.Value?["Type"]?.GetValue<string>() == type
        select (function.LogicalId, trigger.Key, trigger.Value!["Properties"]?.AsObject() ?? new JsonObject());

    /// <summary>A function's properties with <c>Globals.Function</c> merged in, as SAM merges them.</summary>
    public JsonObject FunctionProperties(string logicalId)
    {
        var merged = Root["Globals"]?["Function"]?.DeepClone().AsObject() ?? [];
        var own = Resources[logicalId]?["Properties"]?.AsObject() ?? [];
        Merge(merged, own);
        return merged;
    }

    private static void Merge(JsonObject target, JsonObject source)
    {
        foreach (var (key, value) in source)
        {
            if (value is JsonObject child && target[key] is JsonObject existing && !IsIntrinsic(child))
                Merge(existing, child);
            else
                target[key] = value?.DeepClone();
        }
    }

    internal static bool IsIntrinsic(JsonObject node) =>
        node.Count == 1 && node.First().Key is var key && (key == "Ref" || key.StartsWith("Fn::", StringComparison.Ordinal));

    private static readonly Dictionary<string, string> ShortTags = new()
    {
        ["!Ref"] = "Ref", ["!Sub"] = "Fn::Sub", ["!GetAtt"] = "Fn::GetAtt", ["!Join"] = "Fn::Join",
        ["!Select"] = "Fn::Select", ["!Split"] = "Fn::Split", ["!If"] = "Fn::If", ["!Equals"] = "Fn::Equals",
        ["!Not"] = "Fn::Not", ["!And"] = "Fn::And", ["!Or"] = "Fn::Or", ["!Condition"] = "Condition", ["!FindInMap"] = "Fn::FindInMap",
        ["!ImportValue"] = "Fn::ImportValue", ["!Base64"] = "Fn::Base64", ["!GetAZs"] = "Fn::GetAZs",
    };

    private static JsonNode? ToJson(YamlNode node)
    {
        JsonNode? value = node switch
        {
            YamlMappingNode map => new JsonObject(map.Children.Select(pair =>
                KeyValuePair.Create(((YamlScalarNode)pair.Key).Value!, ToJson(pair.Value)))),
            YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(ToJson).ToArray()),
            YamlScalarNode scalar => Scalar(scalar),
            _ => throw new InvalidDataException($"Unsupported YAML node at {node.Start}."),
        };
        var tag = node.Tag.IsEmpty ? null : node.Tag.Value;
        if (tag is null || tag.StartsWith("tag:yaml.org", StringComparison.Ordinal)) return value;
        if (!ShortTags.TryGetValue(tag, out var function))
            throw new InvalidDataException($"Unknown tag {tag} at {node.Start}.");
        // !GetAtt A.B is the short form of ["A", "B"].
        if (function == "Fn::GetAtt" && value is JsonValue text)
        {
            var parts = text.GetValue<string>().Split('.', 2);
            value = new JsonArray(parts[0], parts[1]);
        }
        return new JsonObject { [function] = value };
    }

    /// <summary>Plain scalars that look like numbers or booleans are numbers or booleans, as in CloudFormation.</summary>
    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted
            || scalar.Style is YamlDotNet.Core.ScalarStyle.Literal or YamlDotNet.Core.ScalarStyle.Folded)
            return JsonValue.Create(text);
        if (text is "true" or "True") return JsonValue.Create(true);
        if (text is "false" or "False") return JsonValue.Create(false);
        if (text is "" or "~" or "null") return null;
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
            return JsonValue.Create(number);
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var large))
            return JsonValue.Create(large);
        return JsonValue.Create(text);
    }
}
