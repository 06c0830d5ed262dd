namespace Serverless.Local.Gateway;

/// <summary>What a JWT authorizer decided about one request.</summary>
public abstract record AuthorizerResult
{
    private AuthorizerResult()
    {
    }

    /// <summary>The token was accepted: the integration runs with these values.</summary>
    /// <param name="Claims">
    /// <c>requestContext.authorizer.jwt.claims</c> in payload format 2.0: every claim of the token as a
    /// string (numbers as their JSON text, booleans "true"/"false", arrays as "[a b c]", objects as JSON
    /// text); claims whose value is null are left out.
    /// </param>
    /// <param name="Scopes">
    /// <c>requestContext.authorizer.jwt.scopes</c>: null when the route declares no authorization scopes,
    /// otherwise the token's scopes (from <c>scope</c>, else <c>scp</c>).
    /// </param>
    public sealed record Allowed(IReadOnlyDictionary<string, string> Claims, IReadOnlyList<string>? Scopes) : AuthorizerResult;

    /// <summary>The request is refused before it reaches the integration.</summary>
    /// <param name="StatusCode">401 for every token failure; 403 only for a valid token lacking the route's scopes.</param>
    /// <param name="Body">The JSON body API Gateway answers with (sent as <c>application/json</c>).</param>
    /// <param name="WwwAuthenticate">The <c>www-authenticate</c> header value.</param>
    /// <param name="Reason">Why, for the local cloud's own log; never sent to the client.</param>
    public sealed record Denied(int StatusCode, string Body, string? WwwAuthenticate, string Reason) : AuthorizerResult;
}
