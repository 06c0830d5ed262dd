using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serverless.Local.Tests.Template;

// How findings describe a value, and the "did you mean" hint for a misspelt name.
internal sealed partial class TemplateValidator
{
    private static string Kind(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "a list",
        _ => value.GetValueKind() switch
        {
            JsonValueKind.String => $"String \"{value.GetValue<string>()}\"",
            JsonValueKind.Number => $"Number {value.ToJsonString()}",
            JsonValueKind.True or JsonValueKind.False => $"Boolean {value.ToJsonString()}",
            var other => other.ToString(),
        },
    };

    private static string Hint(string name, IEnumerable<string> known)
    {
        var best = known
            .Select(candidate => (Candidate: candidate, Distance: Distance(name.ToLowerInvariant(), candidate.ToLowerInvariant())))
            .Where(c => c.Distance <= Math.Max(2, name.Length / 2)
                || c.Candidate.StartsWith(name, StringComparison.OrdinalIgnoreCase) && name.Length >= 4)
            .OrderBy(c => c.Distance)
            .FirstOrDefault();
        return best.Candidate is null ? "" : $"; did you mean '{best.Candidate}'?";
    }

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            previous = current;
        }
        return previous[b.Length];
    }
}
