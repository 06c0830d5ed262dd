using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;

namespace Serverless.Local.Template;

/// <summary>
/// The values of a template that is not running, as <c>sam local invoke</c> resolves them: pseudo parameters and parameter
/// defaults as the local cloud gives them, every resource the local cloud knows before provisioning its local value
/// (functions, resources it does not emulate), every other resource its logical id and <c>Fn::GetAtt X.Attribute</c> the text
/// <c>X.Attribute</c>. <paramref name="physical"/> overrides a resource's value (e.g. from a running local cloud's outputs).
/// </summary>
public static class OfflineValues
{
    public static IntrinsicResolver Resolver(SamTemplate template, IReadOnlyDictionary<string, JsonNode?>? physical = null)
    {
        var (refs, attributes) = LocalResources.TemplateValues(template);
        foreach (var (resource, _) in template.Resources) refs.TryAdd(resource, resource);
        foreach (var (resource, value) in physical ?? new Dictionary<string, JsonNode?>()) refs[resource] = value?.DeepClone();
        return template.Resolver(refs, new AttributeNames(template.Resources.Select(resource => resource.Key).ToHashSet(), attributes));
    }

    /// <summary>Answers <c>X.Attribute</c> with its known value, else with itself for every resource X.</summary>
    private sealed class AttributeNames(IReadOnlySet<string> resources, IReadOnlyDictionary<string, string> known)
        : IReadOnlyDictionary<string, string>
    {
        public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
        {
            value = known.GetValueOrDefault(key) ?? (resources.Contains(key.Split('.')[0]) ? key : null);
            return value is not null;
        }

        public bool ContainsKey(string key) => TryGetValue(key, out _);
        public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);
        public IEnumerable<string> Keys => [];
        public IEnumerable<string> Values => [];
        public int Count => 0;
        public IEnumerator<KeyValuePair<string, string>> GetEnumerator() =>
            Enumerable.Empty<KeyValuePair<string, string>>().GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
