using System.Text.Json.Nodes;
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
    /// The route of an <c>HttpApi</c> event's <c>Properties</c> (no <c>Method</c> is <c>ANY</c>, no <c>Path</c> is <c>/{proxy+}</c>),
    /// authorized by its <c>Auth.Authorizer</c>, else <paramref name="defaultAuthorizer"/>.
    /// </summary>
    public static HttpApiRoute From(JsonObject properties, string functionName, string? defaultAuthorizer)
    {
        var auth = properties["Auth"];
        var authorizer = auth?["Authorizer"]?.GetValue<string>() ?? defaultAuthorizer;
        return new HttpApiRoute(
            properties["Method"]?.GetValue<string>().ToUpperInvariant() ?? "ANY",
            properties["Path"]?.GetValue<string>() ?? "/{proxy+}",
            functionName,
            authorizer == "NONE" ? null : authorizer,
            auth?["AuthorizationScopes"]?.AsArray().Select(scope => scope!.GetValue<string>()).ToList() ?? []);
    }

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

    /// <summary>API Gateway prefers the most specific route: more literal segments, then no greedy parameter, then a
    /// named method.</summary>
    public (int Literals, int NotGreedy, int NamedMethod) Specificity =>
        (Path.Split('/', StringSplitOptions.RemoveEmptyEntries).Count(segment => !segment.StartsWith('{')),
         Path.Contains("+}") ? 0 : 1,
         Method == "ANY" ? 0 : 1);

    [GeneratedRegex(@"^\{([^}+]+)(\+?)\}$")]
    private static partial Regex Parameter();
}
