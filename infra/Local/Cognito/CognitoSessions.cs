using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Local.Gateway;
using Serverless.Local.Http;

namespace Serverless.Local.Cognito;

/// <summary>
/// The sessions Cognito ends and the emulator does not, kept by the Cognito front:
/// <list type="bullet">
/// <item><c>AdminUserGlobalSignOut</c>, which the emulator lacks, revokes every refresh token the user was given until then:
/// a refresh with one of them is <c>NotAuthorizedException</c> "Refresh Token has been revoked". Access tokens stay valid
/// until they expire, as on Cognito.</item>
/// <item>a user disabled with <c>AdminDisableUser</c> (which the emulator records but does not enforce) can neither sign in
/// nor refresh: <c>NotAuthorizedException</c> "User is disabled."</item>
/// </list>
/// Refresh tokens are remembered, by the pool and user name their access token names, as the front passes them on.
/// </summary>
internal sealed class CognitoSessions(HttpClient emulator)
{
    private const string JsonType = "application/x-amz-json-1.1";

    /// <summary>Each refresh token handed out, and the pool/user name it belongs to; revoked ones are removed.</summary>
    private readonly ConcurrentDictionary<string, string> refreshTokens = new(StringComparer.Ordinal);

    /// <summary>The refresh tokens a global sign-out revoked.</summary>
    private readonly ConcurrentDictionary<string, bool> revoked = new(StringComparer.Ordinal);

    /// <summary>
    /// Answers a call the sessions decide before the emulator sees it: <c>AdminUserGlobalSignOut</c>, and a refresh with a
    /// token that was revoked. False when the call goes on to the emulator.
    /// </summary>
    public async Task<bool> TryAnswerAsync(HttpContext context, string action, byte[] body)
    {
        JsonNode? request;
        try
        {
            request = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return false; // the emulator answers malformed requests itself
        }
        if (action == "AdminUserGlobalSignOut")
        {
            await GlobalSignOutAsync(context, request);
            return true;
        }
        if (action is "InitiateAuth" or "AdminInitiateAuth"
            && request?["AuthFlow"]?.GetValue<string>() is "REFRESH_TOKEN_AUTH" or "REFRESH_TOKEN"
            && request["AuthParameters"]?["REFRESH_TOKEN"]?.GetValue<string>() is { } token && IsRevoked(token))
        {
            await WriteErrorAsync(context.Response, "NotAuthorizedException", "Refresh Token has been revoked");
            return true;
        }
        return false;
    }

    /// <summary>
    /// A sign-in or refresh the emulator granted (<paramref name="answer"/>, its JSON): the error to answer instead when the
    /// user is disabled or no longer exists, else null, its refresh token remembered.
    /// </summary>
    public async Task<string?> RefusalOfGrantedAsync(byte[] answer, CancellationToken cancellationToken)
    {
        if (JsonNode.Parse(answer)?["AuthenticationResult"] is not JsonObject result
            || result["AccessToken"]?.GetValue<string>() is not { } accessToken || UserOf(accessToken) is not var (pool, username))
            return null;
        using var user = await CallEmulatorAsync("AdminGetUser", pool, username, cancellationToken);
        // A user deleted between the emulator's grant and this look-up (an account purge racing a sign-in) is refused as
        // Cognito refuses an unknown user when the pool prevents user-existence errors; so is any user not found enabled.
        if (!user.IsSuccessStatusCode) return "Incorrect username or password.";
        if (JsonNode.Parse(await user.Content.ReadAsStringAsync(cancellationToken))?["Enabled"]?.GetValue<bool>() == false)
            return "User is disabled.";
        if (result["RefreshToken"]?.GetValue<string>() is { } refreshToken) refreshTokens[refreshToken] = $"{pool}/{username}";
        return null;
    }

    /// <summary>Cognito's error answer: 400, its type in the body and in <c>x-amzn-ErrorType</c>.</summary>
    public static async Task WriteErrorAsync(HttpResponse response, string type, string message)
    {
        response.StatusCode = StatusCodes.Status400BadRequest;
        response.ContentType = JsonType;
        response.Headers["x-amzn-ErrorType"] = type;
        await response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["__type"] = type, ["message"] = message }));
    }

    /// <summary>A refresh token the front passed on and then revoked. One it never saw (another run's) is the
    /// emulator's to judge.</summary>
    private bool IsRevoked(string token) => revoked.ContainsKey(token);

    /// <summary>The user must exist (the emulator's <c>AdminGetUser</c> answers for it); then every refresh token it
    /// holds is revoked.</summary>
    private async Task GlobalSignOutAsync(HttpContext context, JsonNode? request)
    {
        var pool = request?["UserPoolId"]?.GetValue<string>() ?? "";
        var username = request?["Username"]?.GetValue<string>() ?? "";
        using var user = await CallEmulatorAsync("AdminGetUser", pool, username, context.RequestAborted);
        if (!user.IsSuccessStatusCode)
        {
            context.Response.StatusCode = (int)user.StatusCode;
            context.Response.CopyHeadersFrom(user);
            await user.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
            return;
        }
        // The emulator's user name may be an alias (email) of the one in the tokens: compare with what it answers.
        var name = JsonNode.Parse(await user.Content.ReadAsStringAsync(context.RequestAborted))?["Username"]?.GetValue<string>()
            ?? username;
        foreach (var (token, owner) in refreshTokens)
            if (owner == $"{pool}/{name}" && refreshTokens.TryRemove(token, out _))
                revoked[token] = true;
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = JsonType;
        await context.Response.WriteAsync("{}");
    }

    private async Task<HttpResponseMessage> CallEmulatorAsync(string action, string pool, string username,
        CancellationToken cancellationToken)
    {
        var content = new StringContent(JsonSerializer.Serialize(new Dictionary<string, string> { ["UserPoolId"] = pool,
            ["Username"] = username }));
        content.Headers.ContentType = new MediaTypeHeaderValue(JsonType);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = content };
        request.Headers.TryAddWithoutValidation("X-Amz-Target", $"AWSCognitoIdentityProviderService.{action}");
        return await emulator.SendAsync(request, cancellationToken);
    }

    /// <summary>The pool (the issuer's last segment) and user name (<c>username</c>) an access token names.</summary>
    private static (string Pool, string Username)? UserOf(string accessToken)
    {
        if (!CompactJwt.TryDecode(accessToken, out var jwt)) return null;
        using (jwt.Header)
        using (jwt.Payload)
        {
            var claims = jwt.Payload.RootElement;
            return claims.TryGetProperty("iss", out var issuer) && issuer.ValueKind == JsonValueKind.String
                && claims.TryGetProperty("username", out var username) && username.ValueKind == JsonValueKind.String
                ? (issuer.GetString()!.Split('/').Last(), username.GetString()!)
                : null;
        }
    }
}
