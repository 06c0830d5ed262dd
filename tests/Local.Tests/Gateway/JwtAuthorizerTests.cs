using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Local.Gateway;

namespace Serverless.Local.Tests.Gateway;

public sealed class JwtAuthorizerTests : IDisposable
{
    private const string Issuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool";
    private const string ClientId = "4app1client2id3";
    private const long Now = 1715677000; // 2024-05-14T09:16:40Z
    private static readonly string[] NoScopes = [];
    private static readonly string[] OrderScopes = ["orders/read", "orders/write"];

    private readonly FakeTime time = new(DateTimeOffset.FromUnixTimeSeconds(Now));
    private readonly TestIssuer issuer = new();

    public void Dispose() => issuer.Dispose();

    private (JwtAuthorizer Authorizer, JwksCache Keys) Create(Func<string>? jwks = null)
    {
        var keys = new JwksCache(_ => Task.FromResult((jwks ?? issuer.Jwks)()), time);
        return (new JwtAuthorizer(Issuer, [ClientId], keys, time), keys);
    }

    private Task<AuthorizerResult> Authorize(string? header, string[]? routeScopes = null) =>
        Create().Authorizer.AuthorizeAsync(header, routeScopes ?? NoScopes, CancellationToken.None);

    // A Cognito access token: client_id and scope, no aud.
    private static JsonObject AccessToken() => new()
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
    private static JsonObject IdToken() => new()
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

    private static string Challenge(string description, string scope = "") =>
        $"Bearer scope=\"{scope}\" error=\"invalid_token\" error_description=\"{description}\"";

    private static void AssertUnauthorized(AuthorizerResult result, string description, string scope = "")
    {
        var denied = Assert.IsType<AuthorizerResult.Denied>(result);
        Assert.Equal(401, denied.StatusCode);
        Assert.Equal("{\"message\":\"Unauthorized\"}", denied.Body);
        Assert.Equal(Challenge(description, scope), denied.WwwAuthenticate);
    }

    // ---- accepted ----

    [Fact]
    public async Task Accepts_access_token_with_bearer_prefix_on_scoped_route()
    {
        var result = await Authorize("Bearer " + issuer.Mint(AccessToken()), OrderScopes);

        var allowed = Assert.IsType<AuthorizerResult.Allowed>(result);
        Assert.Equal(["aws.cognito.signin.user.admin", "orders/read"], allowed.Scopes);
        Assert.Equal(ClientId, allowed.Claims["client_id"]);
        Assert.Equal("aws.cognito.signin.user.admin orders/read", allowed.Claims["scope"]);
        Assert.Equal("access", allowed.Claims["token_use"]);
    }

    [Fact]
    public async Task Accepts_token_without_bearer_prefix()
    {
        var result = await Authorize(issuer.Mint(AccessToken()));

        Assert.IsType<AuthorizerResult.Allowed>(result);
    }

    [Fact]
    public async Task Accepts_lowercase_bearer_prefix()
    {
        var result = await Authorize("bearer " + issuer.Mint(AccessToken()));

        Assert.IsType<AuthorizerResult.Allowed>(result);
    }

    [Fact]
    public async Task Scopes_are_null_when_the_route_declares_none_even_if_the_token_has_a_scope_claim()
    {
        var result = await Authorize("Bearer " + issuer.Mint(AccessToken()));

        var allowed = Assert.IsType<AuthorizerResult.Allowed>(result);
        Assert.Null(allowed.Scopes);
    }

    [Fact]
    public async Task Accepts_id_token_on_route_without_scopes()
    {
        var result = await Authorize("Bearer " + issuer.Mint(IdToken()));

        var allowed = Assert.IsType<AuthorizerResult.Allowed>(result);
        Assert.Null(allowed.Scopes);
        Assert.Equal(ClientId, allowed.Claims["aud"]);
    }

    [Fact]
    public async Task Renders_every_claim_as_a_string()
    {
        var claims = IdToken();
        claims["custom:tier"] = 3;
        claims["custom:ratio"] = 0.25;
        claims["custom:off"] = false;
        claims["custom:none"] = null;
        claims["custom:empty"] = new JsonArray();
        claims["custom:mixed"] = new JsonArray("a", 1, true);
        claims["custom:obj"] = new JsonObject { ["k"] = "v", ["n"] = 1 };

        var result = await Authorize("Bearer " + issuer.Mint(claims));

        var rendered = Assert.IsType<AuthorizerResult.Allowed>(result).Claims;
        Assert.Equal("[admin editor]", rendered["cognito:groups"]);
        Assert.Equal("1715680600", rendered["exp"]);
        Assert.Equal((Now - 600).ToString(), rendered["iat"]);
        Assert.Equal("true", rendered["email_verified"]);
        Assert.Equal("false", rendered["custom:off"]);
        Assert.Equal("3", rendered["custom:tier"]);
        Assert.Equal("0.25", rendered["custom:ratio"]);
        Assert.Equal("[]", rendered["custom:empty"]);
        Assert.Equal("[a 1 true]", rendered["custom:mixed"]);
        Assert.Equal("{\"k\":\"v\",\"n\":1}", rendered["custom:obj"]);
        Assert.Equal("alice@example.com", rendered["email"]);
        Assert.False(rendered.ContainsKey("custom:none"));
        Assert.Equal(claims.Count - 1, rendered.Count);
    }

    [Fact]
    public async Task Accepts_aud_given_as_a_list_containing_a_configured_audience()
    {
        var claims = IdToken();
        claims["aud"] = new JsonArray("someone-else", ClientId);

        var result = await Authorize("Bearer " + issuer.Mint(claims));

        var allowed = Assert.IsType<AuthorizerResult.Allowed>(result);
        Assert.Equal($"[someone-else {ClientId}]", allowed.Claims["aud"]);
    }

    [Fact]
    public async Task Accepts_scp_claim_when_there_is_no_scope_claim()
    {
        var claims = AccessToken();
        claims.Remove("scope");
        claims["scp"] = new JsonArray("orders/write");

        var result = await Authorize("Bearer " + issuer.Mint(claims), OrderScopes);

        var allowed = Assert.IsType<AuthorizerResult.Allowed>(result);
        Assert.Equal(["orders/write"], allowed.Scopes);
    }

    [Theory]
    [InlineData("RS384")]
    [InlineData("RS512")]
    public async Task Accepts_the_other_rsa_algorithms(string alg)
    {
        using var other = new TestIssuer(kid: "other-key", jwkAlg: null);
        var keys = new JwksCache(_ => Task.FromResult(other.Jwks()), time);
        var authorizer = new JwtAuthorizer(Issuer, [ClientId], keys, time);

        var result = await authorizer.AuthorizeAsync("Bearer " + other.Mint(AccessToken(), alg), NoScopes, CancellationToken.None);

        Assert.IsType<AuthorizerResult.Allowed>(result);
    }

    // ---- missing and malformed tokens ----

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    public async Task Refuses_a_request_without_a_token(string? header)
    {
        var result = await Authorize(header);

        var denied = Assert.IsType<AuthorizerResult.Denied>(result);
        Assert.Equal(401, denied.StatusCode);
        Assert.Equal("{\"message\":\"Unauthorized\"}", denied.Body);
        Assert.Equal("Bearer scope=\"\"", denied.WwwAuthenticate);
    }

    [Theory]
    [InlineData("Bearer not-a-jwt")]
    [InlineData("Bearer a.b")]
    [InlineData("Bearer a.b.c.d")]
    [InlineData("Bearer !!!.???.***")]
    [InlineData("Bearer e30")] // "{}" alone
    [InlineData("Bearer WzFd.e30.")] // header is an array
    [InlineData("Bearer e30.bm90IGpzb24.")] // payload is not JSON
    [InlineData("Basic dXNlcjpwYXNz")]
    public async Task Refuses_a_malformed_token(string header)
    {
        AssertUnauthorized(await Authorize(header), "the token is malformed");
    }

    [Fact]
    public async Task Refuses_alg_none()
    {
        var header = Segment(new JsonObject { ["alg"] = "none", ["kid"] = issuer.Kid, ["typ"] = "JWT" });
        var token = header + "." + Segment(AccessToken()) + ".";

        AssertUnauthorized(await Authorize("Bearer " + token), "the token's signing algorithm is not supported");
    }

    [Fact]
    public async Task Refuses_hs256_signed_with_the_public_key_as_secret()
    {
        var header = Segment(new JsonObject { ["alg"] = "HS256", ["kid"] = issuer.Kid, ["typ"] = "JWT" });
        var input = header + "." + Segment(AccessToken());
        var secret = Encoding.UTF8.GetBytes(issuer.Jwks());
        var signature = Base64Url.EncodeToString(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(input)));

        AssertUnauthorized(await Authorize("Bearer " + input + "." + signature), "the token's signing algorithm is not supported");
    }

    [Fact]
    public async Task Refuses_a_tampered_payload()
    {
        var parts = issuer.Mint(AccessToken()).Split('.');
        var forged = AccessToken();
        forged["cognito:groups"] = new JsonArray("root");
        var token = parts[0] + "." + Segment(forged) + "." + parts[2];

        AssertUnauthorized(await Authorize("Bearer " + token), "the token's signature is invalid");
    }

    [Fact]
    public async Task Refuses_a_token_signed_by_another_key_under_the_same_kid()
    {
        using var impostor = new TestIssuer(kid: issuer.Kid);

        AssertUnauthorized(await Authorize("Bearer " + impostor.Mint(AccessToken())), "the token's signature is invalid");
    }

    [Fact]
    public async Task Refuses_a_token_whose_alg_differs_from_the_keys_alg()
    {
        // The JWKS entry says RS256; the token says RS512 and is signed accordingly.
        AssertUnauthorized(await Authorize("Bearer " + issuer.Mint(AccessToken(), "RS512")), "the token's signature is invalid");
    }

    [Fact]
    public async Task Refuses_a_token_without_kid()
    {
        var token = issuer.Mint(AccessToken(), header: new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT" });

        AssertUnauthorized(await Authorize("Bearer " + token), "the token's key ID does not match any key of the issuer");
    }

    // ---- keys ----

    [Fact]
    public async Task Refuses_an_unknown_kid_after_fetching_the_key_set_once_more()
    {
        var (authorizer, keys) = Create();
        var token = issuer.Mint(AccessToken(), header: new JsonObject { ["alg"] = "RS256", ["kid"] = "no-such-key" });

        // Prime the cache with a good request first.
        Assert.IsType<AuthorizerResult.Allowed>(await authorizer.AuthorizeAsync(issuer.Mint(AccessToken()), NoScopes, default));
        Assert.Equal(1, keys.FetchCount);

        AssertUnauthorized(await authorizer.AuthorizeAsync("Bearer " + token, NoScopes, default),
            "the token's key ID does not match any key of the issuer");
        Assert.Equal(2, keys.FetchCount);
    }

    [Fact]
    public async Task Picks_up_a_rotated_key_by_refetching_on_an_unknown_kid()
    {
        using var next = new TestIssuer(kid: "rotated-key");
        var published = issuer.Jwks();
        var (authorizer, keys) = Create(() => published);

        Assert.IsType<AuthorizerResult.Allowed>(await authorizer.AuthorizeAsync(issuer.Mint(AccessToken()), NoScopes, default));
        published = TestIssuer.Combine(issuer, next);

        var result = await authorizer.AuthorizeAsync(next.Mint(AccessToken()), NoScopes, default);

        Assert.IsType<AuthorizerResult.Allowed>(result);
        Assert.Equal(2, keys.FetchCount);
    }

    [Fact]
    public async Task Caches_the_key_set_for_two_hours()
    {
        var (authorizer, keys) = Create();
        var claims = AccessToken();
        claims["exp"] = Now + 10 * 3600;

        for (var i = 0; i < 3; i++)
        {
            Assert.IsType<AuthorizerResult.Allowed>(await authorizer.AuthorizeAsync(issuer.Mint(claims), NoScopes, default));
        }

        Assert.Equal(1, keys.FetchCount);

        time.Advance(TimeSpan.FromHours(2) - TimeSpan.FromSeconds(1));
        await authorizer.AuthorizeAsync(issuer.Mint(claims), NoScopes, default);
        Assert.Equal(1, keys.FetchCount);

        time.Advance(TimeSpan.FromSeconds(1));
        await authorizer.AuthorizeAsync(issuer.Mint(claims), NoScopes, default);
        Assert.Equal(2, keys.FetchCount);
    }

    [Fact]
    public async Task Refuses_when_the_key_set_cannot_be_fetched()
    {
        var keys = new JwksCache(_ => throw new HttpRequestException("connection refused"), time);
        var authorizer = new JwtAuthorizer(Issuer, [ClientId], keys, time);

        var result = await authorizer.AuthorizeAsync(issuer.Mint(AccessToken()), NoScopes, default);

        AssertUnauthorized(result, "the issuer's signing keys could not be retrieved");
        Assert.Contains("connection refused", ((AuthorizerResult.Denied)result).Reason);
    }

    [Fact]
    public void Skips_keys_that_cannot_verify_rs_signatures()
    {
        var set = JsonWebKeySet.Parse("""
            {"keys":[
              {"kty":"EC","kid":"ec","crv":"P-256","x":"AA","y":"AA"},
              {"kty":"RSA","kid":"enc","use":"enc","n":"AQAB","e":"AQAB"},
              {"kty":"RSA","use":"sig","n":"AQAB","e":"AQAB"},
              {"kty":"RSA","kid":"good","use":"sig","alg":"RS256","n":"AQAB","e":"AQAB"}
            ]}
            """);

        Assert.Equal(["good"], set.KeyIds);
    }

    // ---- claims ----

    [Fact]
    public async Task Refuses_a_wrong_issuer()
    {
        var claims = AccessToken();
        claims["iss"] = Issuer + "/";

        AssertUnauthorized(await Authorize(issuer.Mint(claims)), "the token does not have a valid issuer");
    }

    [Fact]
    public async Task Refuses_a_missing_issuer()
    {
        var claims = AccessToken();
        claims.Remove("iss");

        AssertUnauthorized(await Authorize(issuer.Mint(claims)), "the token does not have a valid issuer");
    }

    [Fact]
    public async Task Refuses_a_wrong_client_id_with_the_documented_audience_challenge()
    {
        var claims = AccessToken();
        claims["client_id"] = "another-app-client";

        var denied = Assert.IsType<AuthorizerResult.Denied>(await Authorize("Bearer " + issuer.Mint(claims)));

        Assert.Equal(401, denied.StatusCode);
        Assert.Equal("{\"message\":\"Unauthorized\"}", denied.Body);
        Assert.Equal("Bearer scope=\"\" error=\"invalid_token\" error_description=\"the token does not have a valid audience\"", denied.WwwAuthenticate);
    }

    [Fact]
    public async Task Refuses_a_wrong_aud()
    {
        var claims = IdToken();
        claims["aud"] = "another-app-client";

        AssertUnauthorized(await Authorize(issuer.Mint(claims)), "the token does not have a valid audience");
    }

    [Fact]
    public async Task Evaluates_aud_and_not_client_id_when_both_are_present()
    {
        var claims = AccessToken();
        claims["aud"] = "https://api.example.com";

        AssertUnauthorized(await Authorize(issuer.Mint(claims)), "the token does not have a valid audience");
    }

    [Fact]
    public async Task Refuses_a_token_with_neither_aud_nor_client_id()
    {
        var claims = AccessToken();
        claims.Remove("client_id");

        AssertUnauthorized(await Authorize(issuer.Mint(claims)), "the token does not have a valid audience");
    }

    [Fact]
    public async Task Refuses_an_expired_token_with_no_clock_skew()
    {
        var claims = AccessToken();
        claims["exp"] = Now - 1;

        AssertUnauthorized(await Authorize(issuer.Mint(claims)), "the token has expired");
    }

    [Fact]
    public async Task Refuses_a_token_at_the_second_it_expires_and_accepts_it_just_before()
    {
        var claims = AccessToken();
        claims["exp"] = Now;
        var token = issuer.Mint(claims);
        var (authorizer, _) = Create();

        AssertUnauthorized(await authorizer.AuthorizeAsync(token, NoScopes, default), "the token has expired");

        time.Set(DateTimeOffset.FromUnixTimeMilliseconds(Now * 1000 - 1));
        Assert.IsType<AuthorizerResult.Allowed>(await authorizer.AuthorizeAsync(token, NoScopes, default));
    }

    [Fact]
    public async Task Expires_a_once_valid_token_when_time_passes()
    {
        var (authorizer, _) = Create();
        var token = issuer.Mint(AccessToken());

        Assert.IsType<AuthorizerResult.Allowed>(await authorizer.AuthorizeAsync(token, NoScopes, default));

        time.Set(DateTimeOffset.FromUnixTimeSeconds(1715680600));
        AssertUnauthorized(await authorizer.AuthorizeAsync(token, NoScopes, default), "the token has expired");
    }

    [Fact]
    public async Task Refuses_a_token_without_exp()
    {
        var claims = AccessToken();
        claims.Remove("exp");

        AssertUnauthorized(await Authorize(issuer.Mint(claims)), "the token does not have an expiry");
    }

    [Fact]
    public async Task Refuses_a_non_numeric_exp()
    {
        var claims = AccessToken();
        claims["exp"] = "1715680600";

        AssertUnauthorized(await Authorize(issuer.Mint(claims)), "the token has an invalid time claim");
    }

    [Fact]
    public async Task Refuses_a_token_not_valid_yet()
    {
        var claims = AccessToken();
        claims["nbf"] = Now + 1;

        AssertUnauthorized(await Authorize(issuer.Mint(claims)), "the token is not valid yet");
    }

    [Fact]
    public async Task Accepts_nbf_equal_to_now()
    {
        var claims = AccessToken();
        claims["nbf"] = Now;

        Assert.IsType<AuthorizerResult.Allowed>(await Authorize(issuer.Mint(claims)));
    }

    [Fact]
    public async Task Refuses_a_token_issued_in_the_future()
    {
        var claims = AccessToken();
        claims["iat"] = Now + 30;

        AssertUnauthorized(await Authorize(issuer.Mint(claims)), "the token was issued in the future");
    }

    [Fact]
    public async Task Checks_the_issuer_before_the_audience_and_the_audience_before_expiry()
    {
        var claims = AccessToken();
        claims["iss"] = "https://evil.example.com";
        claims["client_id"] = "wrong";
        claims["exp"] = Now - 100;
        AssertUnauthorized(await Authorize(issuer.Mint(claims)), "the token does not have a valid issuer");

        claims["iss"] = Issuer;
        AssertUnauthorized(await Authorize(issuer.Mint(claims)), "the token does not have a valid audience");
    }

    [Fact]
    public async Task Names_the_route_scopes_in_a_401_challenge()
    {
        var claims = AccessToken();
        claims["exp"] = Now - 1;

        AssertUnauthorized(await Authorize(issuer.Mint(claims), OrderScopes), "the token has expired", "orders/read orders/write");
    }

    // ---- scopes ----

    [Fact]
    public async Task Forbids_a_valid_token_without_any_of_the_route_scopes()
    {
        var claims = AccessToken();
        claims["scope"] = "aws.cognito.signin.user.admin orders/cancel";

        var denied = Assert.IsType<AuthorizerResult.Denied>(await Authorize("Bearer " + issuer.Mint(claims), OrderScopes));

        Assert.Equal(403, denied.StatusCode);
        Assert.Equal("{\"message\":\"Forbidden\"}", denied.Body);
        Assert.Equal("Bearer scope=\"orders/read orders/write\" error=\"insufficient_scope\" error_description=\"the token does not have a valid scope\"", denied.WwwAuthenticate);
    }

    [Fact]
    public async Task Forbids_an_id_token_on_a_route_that_declares_scopes()
    {
        var denied = Assert.IsType<AuthorizerResult.Denied>(await Authorize("Bearer " + issuer.Mint(IdToken()), OrderScopes));

        Assert.Equal(403, denied.StatusCode);
        Assert.Equal("{\"message\":\"Forbidden\"}", denied.Body);
    }

    [Fact]
    public async Task Matches_scopes_exactly()
    {
        var claims = AccessToken();
        claims["scope"] = "orders/READ orders/read-all orders";

        var denied = Assert.IsType<AuthorizerResult.Denied>(await Authorize(issuer.Mint(claims), OrderScopes));

        Assert.Equal(403, denied.StatusCode);
    }

    [Fact]
    public async Task Refuses_an_invalid_token_with_401_even_on_a_scoped_route()
    {
        var claims = IdToken();
        claims["aud"] = "wrong";

        AssertUnauthorized(await Authorize(issuer.Mint(claims), OrderScopes), "the token does not have a valid audience", "orders/read orders/write");
    }

    // ---- over HTTP ----

    [Fact]
    public async Task Fetches_the_key_set_from_the_issuers_well_known_jwks_by_default()
    {
        using var server = new JwksServer(issuer.Jwks());
        var localIssuer = server.BaseUri + "eu-west-1_TestPool";
        using var http = new HttpClient();
        var authorizer = new JwtAuthorizer(localIssuer, [ClientId], http, time);
        var claims = AccessToken();
        claims["iss"] = localIssuer;

        var result = await authorizer.AuthorizeAsync("Bearer " + issuer.Mint(claims), NoScopes, CancellationToken.None);

        Assert.IsType<AuthorizerResult.Allowed>(result);
        Assert.Equal(["/eu-west-1_TestPool/.well-known/jwks.json"], server.Paths);
    }

    [Fact]
    public async Task Fetches_the_key_set_from_an_overridden_uri()
    {
        using var server = new JwksServer(issuer.Jwks());
        using var http = new HttpClient();
        var authorizer = new JwtAuthorizer(Issuer, [ClientId], http, time, new Uri(server.BaseUri + "keys"));

        var result = await authorizer.AuthorizeAsync(issuer.Mint(AccessToken()), NoScopes, CancellationToken.None);

        Assert.IsType<AuthorizerResult.Allowed>(result);
        Assert.Equal(["/keys"], server.Paths);
    }

    [Fact]
    public void Default_jwks_uri_is_cognitos_layout()
    {
        Assert.Equal(
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool/.well-known/jwks.json",
            JwtAuthorizer.DefaultJwksUri(Issuer).ToString());
    }

    private static string Segment(JsonNode node) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(node.ToJsonString()));

    /// <summary>An identity provider with one RSA key: publishes its JWKS and signs tokens.</summary>
    private sealed class TestIssuer(string kid = "test-key-1", string? jwkAlg = "RS256") : IDisposable
    {
        private readonly RSA rsa = RSA.Create(2048);

        public string Kid { get; } = kid;

        public string Jwks() => Combine(this);

        public static string Combine(params TestIssuer[] issuers) =>
            new JsonObject { ["keys"] = new JsonArray([.. issuers.Select(i => (JsonNode)i.Jwk())]) }.ToJsonString();

        private JsonObject Jwk()
        {
            var p = rsa.ExportParameters(false);
            var jwk = new JsonObject
            {
                ["kty"] = "RSA",
                ["kid"] = Kid,
                ["use"] = "sig",
                ["n"] = Base64Url.EncodeToString(p.Modulus),
                ["e"] = Base64Url.EncodeToString(p.Exponent),
            };
            if (jwkAlg is not null)
            {
                jwk["alg"] = jwkAlg;
            }

            return jwk;
        }

        public string Mint(JsonObject claims, string alg = "RS256", JsonObject? header = null)
        {
            header ??= new JsonObject { ["kid"] = Kid, ["alg"] = alg };
            var input = Segment(header) + "." + Segment(claims);
            var hash = alg switch
            {
                "RS384" => HashAlgorithmName.SHA384,
                "RS512" => HashAlgorithmName.SHA512,
                _ => HashAlgorithmName.SHA256,
            };
            var signature = rsa.SignData(Encoding.ASCII.GetBytes(input), hash, RSASignaturePadding.Pkcs1);
            return input + "." + Base64Url.EncodeToString(signature);
        }

        public void Dispose() => rsa.Dispose();
    }

    /// <summary>Serves one JWKS document on 127.0.0.1 at any path, recording the paths asked for.</summary>
    private sealed class JwksServer : IDisposable
    {
        private readonly HttpListener listener = new();
        private readonly string body;
        private readonly Task loop;

        public JwksServer(string body)
        {
            this.body = body;
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            BaseUri = $"http://127.0.0.1:{port}/";
            listener.Prefixes.Add(BaseUri);
            listener.Start();
            loop = Task.Run(ServeAsync);
        }

        public string BaseUri { get; }

        public List<string> Paths { get; } = [];

        private async Task ServeAsync()
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                lock (Paths)
                {
                    Paths.Add(context.Request.Url!.AbsolutePath);
                }

                var bytes = Encoding.UTF8.GetBytes(body);
                context.Response.ContentType = "application/json";
                context.Response.ContentLength64 = bytes.Length;
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        }

        public void Dispose()
        {
            listener.Stop();
            listener.Close();
            loop.Wait(TimeSpan.FromSeconds(5));
        }
    }
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class FakeTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset now = start;

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;

    public void Set(DateTimeOffset to) => now = to;
}
