using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serverless.EndToEnd.Tests;

/// <summary>The gateway's JWT authorizer with real Cognito emulator tokens, answering as API Gateway does.</summary>
[Collection(LocalCloudCollection.Name)]
public sealed class AuthorizerTests(LocalCloudFixture cloud)
{
    [Fact]
    public async Task No_token_is_401_Unauthorized()
    {
        using var response = await cloud.Api.GetAsync("/me");

        await AssertDeniedAsync(response, HttpStatusCode.Unauthorized, "Unauthorized");
    }

    [Fact]
    public async Task A_tampered_signature_is_401()
    {
        var user = await cloud.NewUserAsync();
        var parts = user.AccessToken.Split('.');
        var signature = parts[2].ToCharArray();
        signature[10] = signature[10] == 'A' ? 'B' : 'A';

        using var response = await GetMeAsync($"{parts[0]}.{parts[1]}.{new string(signature)}");

        await AssertDeniedAsync(response, HttpStatusCode.Unauthorized, "Unauthorized");
    }

    [Fact]
    public async Task An_unsigned_alg_none_token_is_401()
    {
        var user = await cloud.NewUserAsync();
        var payload = user.AccessToken.Split('.')[1];
        var header = Base64Url.EncodeToString("""{"alg":"none","typ":"JWT"}"""u8);

        using var response = await GetMeAsync($"{header}.{payload}.");

        await AssertDeniedAsync(response, HttpStatusCode.Unauthorized, "Unauthorized");
    }

    [Fact]
    public async Task An_expired_token_signed_with_the_pools_own_key_is_401()
    {
        var user = await cloud.NewUserAsync();
        var parts = user.AccessToken.Split('.');
        var payload = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!.AsObject();
        var past = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeSeconds();
        payload["iat"] = past;
        payload["auth_time"] = past;
        payload["exp"] = past + 3600;

        using var response = await GetMeAsync(CognitoLocalKey.Sign(parts[0],
            Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.ToJsonString()))));

        await AssertDeniedAsync(response, HttpStatusCode.Unauthorized, "Unauthorized");
        Assert.Contains("expired", response.Headers.WwwAuthenticate.ToString());
        // The same re-signing with a valid expiry passes, so the signature above was good.
        payload["exp"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        using var fresh = await GetMeAsync(CognitoLocalKey.Sign(parts[0],
            Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.ToJsonString()))));
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    [Fact]
    public async Task A_token_for_another_app_client_is_401()
    {
        var other = await cloud.CognitoAsync("CreateUserPoolClient", new JsonObject
        {
            ["UserPoolId"] = cloud.Output("UserPoolId"),
            ["ClientName"] = "other-" + Guid.NewGuid().ToString("N")[..6],
            ["ExplicitAuthFlows"] = new JsonArray("ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"),
        });
        var user = await cloud.NewUserAsync(clientId: other.GetProperty("UserPoolClient").GetProperty("ClientId").GetString());

        using var response = await GetMeAsync(user.AccessToken);

        await AssertDeniedAsync(response, HttpStatusCode.Unauthorized, "Unauthorized");
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task A_token_from_another_user_pool_is_401()
    {
        var pool = await cloud.CognitoAsync("CreateUserPool", new JsonObject
        {
            ["PoolName"] = "other-" + Guid.NewGuid().ToString("N")[..6],
            ["UsernameAttributes"] = new JsonArray("email"),
        });
        var poolId = pool.GetProperty("UserPool").GetProperty("Id").GetString()!;
        var client = await cloud.CognitoAsync("CreateUserPoolClient", new JsonObject
        {
            ["UserPoolId"] = poolId,
            ["ClientName"] = "web",
            ["ExplicitAuthFlows"] = new JsonArray("ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"),
        });
        var user = await cloud.NewUserAsync(client.GetProperty("UserPoolClient").GetProperty("ClientId").GetString(), poolId);

        using var response = await GetMeAsync(user.AccessToken);

        await AssertDeniedAsync(response, HttpStatusCode.Unauthorized, "Unauthorized");
    }

    [Fact]
    public async Task An_ID_token_on_a_route_that_requires_the_access_token_scope_is_403_Forbidden()
    {
        var user = await cloud.NewUserAsync();

        using var response = await GetMeAsync(user.IdToken);

        await AssertDeniedAsync(response, HttpStatusCode.Forbidden, "Forbidden");
    }

    [Fact]
    public async Task A_preflight_from_an_allowed_origin_gets_the_templates_CORS_headers()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/me");
        request.Headers.Add("Origin", "http://localhost:5173");
        request.Headers.Add("Access-Control-Request-Method", "PATCH");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");

        using var response = await cloud.Api.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("http://localhost:5173", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("PATCH", response.Headers.GetValues("Access-Control-Allow-Methods").Single());
        Assert.Equal("600", response.Headers.GetValues("Access-Control-Max-Age").Single());
    }

    private Task<HttpResponseMessage> GetMeAsync(string token) => cloud.SendAsync(HttpMethod.Get, "/me", token);

    private static async Task AssertDeniedAsync(HttpResponseMessage response, HttpStatusCode status, string message)
    {
        Assert.Equal(status, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(message, body.GetProperty("message").GetString());
    }
}
