using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serverless.Local.Emulators;

// cognito-local's user-pool API (AWS JSON 1.1: a POST naming the action in X-Amz-Target), and typed calls for
// user pools and app clients.
public sealed partial class CognitoLocal
{
    private const string TargetPrefix = "AWSCognitoIdentityProviderService.";
    private static readonly MediaTypeHeaderValue AmzJson = new("application/x-amz-json-1.1");

    /// <summary>Calls an action of the Cognito user-pool API (AWS JSON 1.1) and returns the answer.</summary>
    /// <exception cref="CognitoLocalException">cognito-local answered with an error.</exception>
    public async Task<JsonElement> SendAsync(string action, JsonObject request, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(action);
        ArgumentNullException.ThrowIfNull(request);
        using var message = new HttpRequestMessage(HttpMethod.Post, string.Empty);
        message.Headers.TryAddWithoutValidation("X-Amz-Target", TargetPrefix + action);
        message.Content = new StringContent(request.ToJsonString());
        message.Content.Headers.ContentType = AmzJson;
        using var response = await http.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        JsonElement json;
        try
        {
            using var document = JsonDocument.Parse(body.Length == 0 ? "{}" : body);
            json = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new CognitoLocalException(action, response.StatusCode, "InvalidResponse", body);
        }
        if (!response.IsSuccessStatusCode)
        {
            throw new CognitoLocalException(
                action,
                response.StatusCode,
                ReadString(json, "__type") ?? "Unknown",
                ReadString(json, "message") ?? ReadString(json, "Message") ?? body);
        }
        return json;
    }

    /// <summary>Creates a user pool and returns its id (local_ and 8 letters or digits).</summary>
    /// <param name="name">Pool name.</param>
    /// <param name="usernameAttributes">E.g. ["email"]: users sign up and sign in with their email, and get a UUID username
    /// (their sub). Null or empty: plain usernames.</param>
    /// <param name="autoVerifiedAttributes">E.g. ["email"]: SignUp "delivers" a confirmation code (prints it) and answers
    /// with CodeDeliveryDetails. Without it no code is shown, though ConfirmSignUp still needs the stored one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<string> CreateUserPoolAsync(
        string name,
        IEnumerable<string>? usernameAttributes = null,
        IEnumerable<string>? autoVerifiedAttributes = null,
        CancellationToken cancellationToken = default)
    {
        var request = new JsonObject { ["PoolName"] = name };
        if (usernameAttributes is not null)
        {
            request["UsernameAttributes"] = new JsonArray([.. usernameAttributes.Select(a => JsonValue.Create(a))]);
        }
        if (autoVerifiedAttributes is not null)
        {
            request["AutoVerifiedAttributes"] = new JsonArray([.. autoVerifiedAttributes.Select(a => JsonValue.Create(a))]);
        }
        var answer = await SendAsync("CreateUserPool", request, cancellationToken).ConfigureAwait(false);
        return answer.GetProperty("UserPool").GetProperty("Id").GetString()!;
    }

    /// <summary>Creates an app client without secret (USER_PASSWORD_AUTH and refresh allowed) and returns its id.</summary>
    public async Task<string> CreateUserPoolClientAsync(string userPoolId, string clientName, CancellationToken cancellationToken = default)
    {
        var request = new JsonObject
        {
            ["UserPoolId"] = userPoolId,
            ["ClientName"] = clientName,
            ["ExplicitAuthFlows"] = new JsonArray("ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"),
        };
        var answer = await SendAsync("CreateUserPoolClient", request, cancellationToken).ConfigureAwait(false);
        return answer.GetProperty("UserPoolClient").GetProperty("ClientId").GetString()!;
    }

    /// <summary>The id of the first user pool with this name, or null (pools persist in .cognito/db across restarts).</summary>
    public async Task<string?> FindUserPoolIdAsync(string name, CancellationToken cancellationToken = default)
    {
        var answer = await SendAsync("ListUserPools", new JsonObject { ["MaxResults"] = 60 }, cancellationToken).ConfigureAwait(false);
        return answer.GetProperty("UserPools").EnumerateArray()
            .Where(pool => ReadString(pool, "Name") == name)
            .Select(pool => ReadString(pool, "Id"))
            .FirstOrDefault();
    }

    /// <summary>The id of the first app client of a pool with this name, or null.</summary>
    public async Task<string?> FindUserPoolClientIdAsync(string userPoolId, string clientName,
        CancellationToken cancellationToken = default)
    {
        var answer = await SendAsync(
            "ListUserPoolClients",
            new JsonObject { ["UserPoolId"] = userPoolId, ["MaxResults"] = 60 },
            cancellationToken).ConfigureAwait(false);
        return answer.GetProperty("UserPoolClients").EnumerateArray()
            .Where(client => ReadString(client, "ClientName") == clientName)
            .Select(client => ReadString(client, "ClientId"))
            .FirstOrDefault();
    }

    private static string? ReadString(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value)
            && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
