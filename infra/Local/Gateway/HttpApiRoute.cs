using System.Text.RegularExpressions;

namespace Serverless.Local.Gateway;

/// <summary>
/// One HTTP API route from the template (<c>Events</c> of type <c>HttpApi</c>): its route key,
/// the function it invokes, and its authorization (authorizer name, or null for
/// <c>Authorizer: NONE</c>, and the scopes it requires).
/// </summary>
public sealed partial record HttpApiRoute(string Method, string Path, string FunctionName, string? Authorizer, IReadOnlyList<string> Scopes)
{
    public string RouteKey => $"{Method} {Path}";

    /// <summary>
    /// Matches a decoded request path as API Gateway does: literal segments exactly,
    /// <c>{name}</c> one segment, <c>{name+}</c> the rest of the path.
    /// </summary>
    public bool TryMatch(string method, string path, out Dictionary<string, string> parameters)
    {
        parameters = [];
        if (Method != "ANY" && !string.Equals(Method, method, StringComparison.OrdinalIgnoreCase)) return false;
        var pattern = Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var actual = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < pattern.Length; i++)
        {
            var match = Parameter().Match(pattern[i]);
            if (match.Success && match.Groups[2].Value == "+")
            {
                if (i >= actual.Length) return false;
                parameters[match.Groups[1].Value] = string.Join('/', actual[i..]);
                return true;
            }
            if (i >= actual.Length) return false;
            if (match.Success) parameters[match.Groups[1].Value] = actual[i];
            else if (pattern[i] != actual[i]) return false;
        }
        return pattern.Length == actual.Length;
    }

    /// <summary>API Gateway prefers the most specific route: more literal segments, then no greedy parameter, then a named method.</summary>
    public (int Literals, int NotGreedy, int NamedMethod) Specificity =>
        (Path.Split('/', StringSplitOptions.RemoveEmptyEntries).Count(segment => !segment.StartsWith('{')),
         Path.Contains("+}") ? 0 : 1,
         Method == "ANY" ? 0 : 1);

    [GeneratedRegex(@"^\{([^}+]+)(\+?)\}$")]
    private static partial Regex Parameter();
}
