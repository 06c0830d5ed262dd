using System.Text.Json;

namespace Serverless.Local.Commands;

/// <summary>
/// <c>--env-vars</c> in <c>sam local invoke</c>'s format: <c>{"LogicalId": {"VAR": "value"}, "Parameters": {"VAR": "value"}}</c>.
/// <c>Parameters</c> applies to every function, a function's own entry wins over it, and, as in SAM, only variables the
/// template declares for the function are overridden (the others are reported, not set).
/// </summary>
internal static class EnvVarsFile
{
    public static IReadOnlyDictionary<string, string> For(string path, string logicalId)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var section in new[] { "Parameters", logicalId })
        {
            if (!document.RootElement.TryGetProperty(section, out var values)) continue;
            if (values.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{path}: \"{section}\" must be an object of variable names to values.");
            foreach (var variable in values.EnumerateObject())
                variables[variable.Name] = variable.Value.ValueKind == JsonValueKind.String ? variable.Value.GetString()!
                    : variable.Value.GetRawText();
        }
        return variables;
    }
}
