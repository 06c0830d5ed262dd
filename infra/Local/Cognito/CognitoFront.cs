using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Kernel.Aws;
using Serverless.Local.Gateway;
using Serverless.Local.Http;

namespace Serverless.Local.Cognito;

/// <summary>
/// The Cognito endpoint the local cloud publishes: every call goes through to the Cognito emulator, after covering what
/// the emulator does differently from Cognito:
/// <list type="bullet">
/// <item>the template's password policy on every call that sets a password, answered as Cognito answers
/// (400 <c>InvalidPasswordException</c>);</item>
/// <item>CORS as Cognito answers it to any origin: the front answers preflights itself and puts the CORS headers on every
/// answer to a public operation, its own included, so a browser reads an error as well as a result;</item>
/// <item>every other operation (the admin ones, pool management) needs SigV4 with the local credentials and is refused to
/// a request from a web page;</item>
/// <item>an <c>AuthenticationResult</c> gets the <c>TokenType</c> and <c>ExpiresIn</c> the emulator leaves out;</item>
/// <item>every answer carries an <c>x-amzn-RequestId</c>;</item>
/// <item>global sign-out and disabled users, as <see cref="CognitoSessions"/> keeps them.</item>
/// </list>
/// </summary>
public sealed class CognitoFront : IAsyncDisposable
{
    private static readonly Dictionary<string, string> PasswordFields = new()
    {
        ["SignUp"] = "Password",
        ["AdminCreateUser"] = "TemporaryPassword",
        ["AdminSetUserPassword"] = "Password",
        ["ConfirmForgotPassword"] = "Password",
        ["ChangePassword"] = "ProposedPassword",
    };

    /// <summary>
    /// The operations Cognito answers without SigV4 (a client id, a code or the user's own token is their authority), and
    /// so to any web page; every other operation needs the local credentials' signature.
    /// </summary>
    private static readonly HashSet<string> PublicActions =
    [
        "SignUp", "ConfirmSignUp", "ResendConfirmationCode", "InitiateAuth", "RespondToAuthChallenge", "ForgotPassword",
        "ConfirmForgotPassword", "ChangePassword", "GetUser", "UpdateUserAttributes", "DeleteUserAttributes",
        "VerifyUserAttribute", "GetUserAttributeVerificationCode", "DeleteUser", "GlobalSignOut", "RevokeToken",
        "GetTokensFromRefreshToken", "AssociateSoftwareToken", "VerifySoftwareToken", "SetUserMFAPreference",
        "SetUserSettings", "ConfirmDevice", "ForgetDevice", "GetDevice", "ListDevices", "UpdateDeviceStatus",
    ];

    private static readonly SigV4Verifier Signer = LocalSigV4.Verifier("cognito-idp");

    /// <summary>The calls whose answer may hold an <c>AuthenticationResult</c>.</summary>
    private static readonly HashSet<string> SignInActions = ["InitiateAuth", "AdminInitiateAuth", "RespondToAuthChallenge",
        "AdminRespondToAuthChallenge"];

    private readonly WebApplication app;
    private readonly HttpClient emulator;
    private readonly Func<string, PasswordPolicy?> policyOfPool;
    private readonly Func<string, string?> poolOfClient;
    private readonly CognitoSessions sessions;

    private CognitoFront(WebApplication app, string emulatorEndpoint, Func<string, PasswordPolicy?> policyOfPool,
        Func<string, string?> poolOfClient)
    {
        this.app = app;
        emulator = new HttpClient { BaseAddress = new Uri(emulatorEndpoint) };
        this.policyOfPool = policyOfPool;
        this.poolOfClient = poolOfClient;
        sessions = new CognitoSessions(emulator);
    }

    public string Endpoint => app.Urls.First();

    /// <param name="policyOfPool">The policy of a pool id; null for a pool the template does not define.</param>
    /// <param name="poolOfClient">The pool of an app client id; null for a client the template does not define.</param>
    public static async Task<CognitoFront> StartAsync(int port, string emulatorEndpoint,
        Func<string, PasswordPolicy?> policyOfPool, Func<string, string?> poolOfClient)
    {
        var front = new CognitoFront(LocalHttp.Create(port), emulatorEndpoint, policyOfPool, poolOfClient);
        front.app.Run(front.HandleAsync);
        await front.app.StartAsync();
        return front;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var response = context.Response;
        response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        var action = context.Request.Headers["X-Amz-Target"].ToString().Split('.').Last();
        var isPublic = PublicActions.Contains(action);
        if (context.Request.Headers.Origin.Count > 0 && (isPublic || HttpMethods.IsOptions(context.Request.Method)))
        {
            response.Headers.AccessControlAllowOrigin = "*";
            response.Headers.AccessControlExposeHeaders = "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date";
        }
        if (HttpMethods.IsOptions(context.Request.Method))
        {
            WritePreflight(context.Request, response);
            return;
        }
        var body = await context.Request.ReadBodyAsync();
        if (!isPublic && Refusal(context.Request, body) is { } refusal)
        {
            await ErrorAsync(response, refusal.Status, refusal.Type, refusal.Message);
            return;
        }
        if (PasswordFields.TryGetValue(action, out var field) && Violation(action, field, body) is { } message)
        {
            await ErrorAsync(response, StatusCodes.Status400BadRequest, "InvalidPasswordException", message);
            return;
        }
        if (await sessions.TryAnswerAsync(context, action, body)) return;
        await ForwardAsync(context, body, action);
    }

    /// <summary>
    /// Why an operation that is not public is refused: a request from a web page (it carries an <c>Origin</c>, which a
    /// browser cannot leave out), or one not signed with the local credentials, answered as Cognito answers it.
    /// </summary>
    private static (int Status, string Type, string Message)? Refusal(HttpRequest request, byte[] body)
    {
        if (request.Headers.Origin.Count > 0)
            return (StatusCodes.Status403Forbidden, "AccessDeniedException",
                "The local Cognito front answers only public operations to web pages.");
        return Signer.Verify(request.ToSigV4(), LocalSigV4.PayloadHash(body)) is not { } refusal ? null : (StatusCodes.Status400BadRequest,
            refusal.Failure switch
            {
                SigV4Failure.Missing => "MissingAuthenticationTokenException",
                SigV4Failure.UnknownAccessKey => "UnrecognizedClientException",
                _ => "InvalidSignatureException",
            }, refusal.Message);
    }

    private static Task ErrorAsync(HttpResponse response, int status, string type, string message)
    {
        response.StatusCode = status;
        response.ContentType = "application/x-amz-json-1.1";
        response.Headers["x-amzn-ErrorType"] = type;
        return response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["__type"] = type, ["message"] = message }));
    }

    /// <summary>A preflight as Cognito answers it: 200, any origin, the requested headers echoed, POST, cached for two days.</summary>
    private static void WritePreflight(HttpRequest request, HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentLength = 0;
        if (request.Headers.AccessControlRequestHeaders.Count > 0)
            response.Headers.AccessControlAllowHeaders = request.Headers.AccessControlRequestHeaders;
        response.Headers.AccessControlAllowMethods = "POST";
        response.Headers.AccessControlMaxAge = "172800";
    }

    private string? Violation(string action, string field, byte[] body)
    {
        JsonNode? request;
        try
        {
            request = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return null; // the emulator answers malformed requests itself
        }
        if (request?[field]?.GetValue<string>() is not { } password) return null;
        var poolId = action switch
        {
            "SignUp" or "ConfirmForgotPassword" => request["ClientId"]?.GetValue<string>() is { } client ? poolOfClient(client) : null,
            "ChangePassword" => PoolOfAccessToken(request["AccessToken"]?.GetValue<string>()),
            _ => request["UserPoolId"]?.GetValue<string>(),
        };
        return poolId is null ? null : policyOfPool(poolId)?.Violation(password);
    }

    /// <summary>The pool is the last segment of the token's issuer; the emulator checks the token itself.</summary>
    private static string? PoolOfAccessToken(string? token)
    {
        if (token is null || !CompactJwt.TryDecode(token, out var jwt)) return null;
        using (jwt.Header)
        using (jwt.Payload)
            return jwt.Payload.RootElement.TryGetProperty("iss", out var issuer) && issuer.ValueKind == JsonValueKind.String
                ? issuer.GetString()!.Split('/').Last()
                : null;
    }

    private async Task ForwardAsync(HttpContext context, byte[] body, string action)
    {
        var request = context.Request;
        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), request.Path + request.QueryString)
        {
            Content = new ByteArrayContent(body),
        };
        foreach (var (name, values) in request.Headers)
        {
            // The front answers CORS itself; the emulator refuses a request that carries an Origin (cognito-local-launcher.js).
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Origin", StringComparison.OrdinalIgnoreCase)) continue;
            if (!forward.Headers.TryAddWithoutValidation(name, values.ToArray()))
                forward.Content.Headers.TryAddWithoutValidation(name, values.ToArray());
        }
        using var answer = await emulator.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)answer.StatusCode;
        var completed = SignInActions.Contains(action) && answer.IsSuccessStatusCode
            ? WithTokenTypeAndExpiry(await answer.Content.ReadAsByteArrayAsync(context.RequestAborted))
            : null;
        if (completed is not null && await sessions.RefusalOfGrantedAsync(completed, context.RequestAborted) is { } refusal)
        {
            await CognitoSessions.WriteErrorAsync(context.Response, "NotAuthorizedException", refusal);
            return;
        }
        // The emulator's own CORS headers (any method, no exposed headers) give way to Cognito's, set above.
        context.Response.CopyHeadersFrom(answer, skip: completed is not null ? "Content-Length" : null);
        if (completed is not null)
            await context.Response.Body.WriteAsync(completed, context.RequestAborted);
        else
            await answer.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    /// <summary>
    /// Cognito's <c>AuthenticationResult</c> always has <c>TokenType</c> "Bearer" and <c>ExpiresIn</c>, the access token's
    /// lifetime in seconds; the emulator leaves both out, so they are added, the lifetime read from the access token itself.
    /// </summary>
    private static byte[] WithTokenTypeAndExpiry(byte[] body)
    {
        if (JsonNode.Parse(body) is not JsonObject answer || answer["AuthenticationResult"] is not JsonObject result
            || result["AccessToken"]?.GetValue<string>() is not { } token || !CompactJwt.TryDecode(token, out var jwt))
            return body;
        using (jwt.Header)
        using (jwt.Payload)
        {
            var claims = jwt.Payload.RootElement;
            result["ExpiresIn"] ??= claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64();
            result["TokenType"] ??= "Bearer";
        }
        return Encoding.UTF8.GetBytes(answer.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        emulator.Dispose();
    }
}
