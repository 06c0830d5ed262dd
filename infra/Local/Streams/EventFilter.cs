using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serverless.Local.Streams;

/// <summary>
/// An event source mapping's <c>FilterCriteria</c>: a record goes to the function when it matches any of the
/// filters' patterns, and is dropped (its position still advances) when it matches none; no filters pass everything.
/// The pattern language is Lambda's (EventBridge's): every key of a pattern object must match; a leaf is an array
/// of values, any of which may match (exact strings, numbers, booleans and null) or of operators: <c>prefix</c>,
/// <c>suffix</c>, <c>equals-ignore-case</c>, <c>anything-but</c> (values or a <c>prefix</c>), <c>exists</c> and
/// <c>numeric</c>. A pattern outside that is refused at startup, as Lambda refuses it when the mapping is created.
/// </summary>
public sealed class EventFilter
{
    private readonly IReadOnlyList<JsonObject> patterns;

    private EventFilter(IReadOnlyList<JsonObject> patterns) => this.patterns = patterns;

    public static EventFilter PassAll { get; } = new([]);

    /// <summary>Reads <c>{"Filters": [{"Pattern": "{...}"}]}</c>; each pattern is a JSON text.</summary>
    public static EventFilter From(JsonNode? criteria)
    {
        var patterns = new List<JsonObject>();
        foreach (var filter in criteria?["Filters"]?.AsArray() ?? [])
        {
            var text = filter?["Pattern"]?.GetValue<string>() ?? throw new InvalidDataException("A filter has no Pattern.");
            JsonNode? pattern;
            try
            {
                pattern = JsonNode.Parse(text);
            }
            catch (JsonException error)
            {
                throw new InvalidDataException($"Filter pattern {text} is not JSON: {error.Message}");
            }
            if (pattern is not JsonObject obj) throw new InvalidDataException($"Filter pattern {text} is not a JSON object.");
            Validate(obj, text);
            patterns.Add(obj);
        }
        return new EventFilter(patterns);
    }

    public bool Matches(JsonObject record) => patterns.Count == 0 || patterns.Any(pattern => MatchesObject(pattern, record));

    private static void Validate(JsonObject pattern, string text)
    {
        foreach (var (key, value) in pattern)
        {
            switch (value)
            {
                case JsonObject nested:
                    Validate(nested, text);
                    break;
                case JsonArray rules:
                    foreach (var rule in rules)
                        if (rule is JsonObject op && (op.Count != 1 || !Operators.Contains(op.First().Key)))
                            throw new InvalidDataException($"Filter pattern {text}: unsupported rule {op.ToJsonString()} under '{key}'.");
                    break;
                default:
                    throw new InvalidDataException($"Filter pattern {text}: '{key}' must be an object or an array of values.");
            }
        }
    }

    private static readonly HashSet<string> Operators = ["prefix", "suffix", "equals-ignore-case", "anything-but", "exists", "numeric"];

    private static bool MatchesObject(JsonObject pattern, JsonNode? node)
    {
        foreach (var (key, rule) in pattern)
        {
            var present = node is JsonObject obj && obj.TryGetPropertyValue(key, out _);
            var field = present ? node![key] : null;
            var matched = rule is JsonObject nested
                ? field is JsonObject && MatchesObject(nested, field)
                : MatchesAny(rule!.AsArray(), present, field);
            if (!matched) return false;
        }
        return true;
    }

    /// <summary>A field holding an array matches when any of its items does.</summary>
    private static bool MatchesAny(JsonArray rules, bool present, JsonNode? field)
    {
        var values = field is JsonArray items ? items.ToList() : [field];
        return rules.Any(rule => rule is JsonObject op
            ? op.First().Key == "exists" ? op.First().Value!.GetValue<bool>() == present : present
                && values.Any(value => Operator(op, value))
            : present && values.Any(value => Equal(rule, value)));
    }

    private static bool Operator(JsonObject op, JsonNode? value)
    {
        var (name, argument) = op.First();
        var text = value is JsonValue scalar && scalar.TryGetValue<string>(out var s) ? s : null;
        return name switch
        {
            "prefix" => text is not null && text.StartsWith(argument!.GetValue<string>(), StringComparison.Ordinal),
            "suffix" => text is not null && text.EndsWith(argument!.GetValue<string>(), StringComparison.Ordinal),
            "equals-ignore-case" => text is not null && string.Equals(text, argument!.GetValue<string>(),
                StringComparison.OrdinalIgnoreCase),
            "anything-but" => argument switch
            {
                JsonObject nested => !Operator(nested, value),
                JsonArray excluded => !excluded.Any(item => Equal(item, value)),
                _ => !Equal(argument, value),
            },
            "numeric" => Number(value) is { } number && Numeric(argument!.AsArray(), number),
            _ => false,
        };
    }

    private static bool Numeric(JsonArray conditions, double number)
    {
        for (var i = 0; i + 1 < conditions.Count; i += 2)
        {
            var bound = conditions[i + 1]!.GetValue<double>();
            var holds = conditions[i]!.GetValue<string>() switch
            {
                "=" => number == bound,
                "<" => number < bound,
                "<=" => number <= bound,
                ">" => number > bound,
                ">=" => number >= bound,
                _ => false,
            };
            if (!holds) return false;
        }
        return true;
    }

    private static double? Number(JsonNode? value) =>
        value is JsonValue scalar && scalar.GetValueKind() == JsonValueKind.Number ? scalar.GetValue<double>()
        : value is JsonValue text && text.TryGetValue<string>(out var s)
            && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed
        : null;

    private static bool Equal(JsonNode? rule, JsonNode? value) =>
        (rule, value) switch
        {
            (null, null) => true,
            (JsonValue a, JsonValue b) when a.GetValueKind() == JsonValueKind.Number && b.GetValueKind() == JsonValueKind.Number =>
                a.GetValue<double>() == b.GetValue<double>(),
            (JsonValue a, JsonValue b) => a.GetValueKind() == b.GetValueKind() && a.ToJsonString() == b.ToJsonString(),
            _ => false,
        };
}
