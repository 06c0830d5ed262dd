using System.Text.Json.Nodes;
using Serverless.Local.Gateway;

namespace Serverless.Local.Tests.Gateway;

/// <summary>
/// What the JWT authorizer tests share: an authorizer for a Cognito-like issuer, whose keys come from a
/// <see cref="TestIssuer"/>, checked against a clock the test moves by hand; and the claims of Cognito's access and ID tokens.
/// </summary>
public abstract class JwtAuthorizerTestBase : IDisposable
{
    protected const string Issuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool";
    protected const string ClientId = "4app1client2id3";
    protected const long Now = 1715677000; // 2024-05-14T09:16:40Z
    protected static readonly string[] NoScopes = [];
    protected static readonly string[] OrderScopes = ["orders/read", "orders/write"];

    private protected readonly FakeTime time = new(DateTimeOffset.FromUnixTimeSeconds(Now));
    private protected readonly TestIssuer issuer = new();

    public void Dispose() => issuer.Dispose();

    protected (JwtAuthorizer Authorizer, JwksCache Keys) Create(Func<string>? jwks = null)
    {
        var keys = new JwksCache(_ => Task.FromResult((jwks ?? issuer.Jwks)()), time);
        return (new JwtAuthorizer(Issuer, [ClientId], keys, time), keys);
    }

    protected Task<AuthorizerResult> Authorize(string? header, string[]? routeScopes = null) =>
        Create().Authorizer.AuthorizeAsync(header, routeScopes ?? NoScopes, CancellationToken.None);

    // A Cognito access token: client_id and scope, no aud.
    protected static JsonObject AccessToken() => new()
    {
        ["sub"] = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        ["cognito:groups"] = new JsonArray("admin", "editor"),
        ["iss"] = Issuer,
        ["version"] = 2,
        ["client_id"] = ClientId,
        ["token_use"] = "access",
        ["scope"] = "aws.cognito.signin.user.admin orders/read",
        ["auth_time"] = Now - 600,
        ["exp"] = 1715680600,
        ["iat"] = Now - 600,
        ["jti"] = "7d3c0c7e-0000-4000-8000-000000000001",
        ["username"] = "alice",
    };

    // A Cognito ID token: aud, no scope.
    protected static JsonObject IdToken() => new()
    {
        ["sub"] = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        ["cognito:groups"] = new JsonArray("admin", "editor"),
        ["email_verified"] = true,
        ["iss"] = Issuer,
        ["cognito:username"] = "alice",
        ["aud"] = ClientId,
        ["token_use"] = "id",
        ["auth_time"] = Now - 600,
        ["exp"] = 1715680600,
        ["iat"] = Now - 600,
        ["email"] = "alice@example.com",
    };

    protected static string Challenge(string description, string scope = "") =>
        $"Bearer scope=\"{scope}\" error=\"invalid_token\" error_description=\"{description}\"";

    protected static void AssertUnauthorized(AuthorizerResult result, string description, string scope = "")
    {
        var denied = Assert.IsType<AuthorizerResult.Denied>(result);
        Assert.Equal(401, denied.StatusCode);
        Assert.Equal("{\"message\":\"Unauthorized\"}", denied.Body);
        Assert.Equal(Challenge(description, scope), denied.WwwAuthenticate);
    }
}
