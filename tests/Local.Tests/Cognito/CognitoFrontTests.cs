using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Serverless.Local.Cognito;
using Serverless.Local.Http;

namespace Serverless.Local.Tests.Cognito;

/// <summary>
/// The Cognito front's answers are Cognito's, in front of a stand-in emulator that answers as cognito-local does. CORS as
/// captured from cognito-idp for any origin: a preflight is 200 with <c>access-control-allow-origin: *</c>, the requested
/// headers echoed, <c>POST</c>, max age 172800; every answer has <c>access-control-allow-origin: *</c> and exposes
/// <c>x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date</c>. A sign-in's <c>AuthenticationResult</c> has
/// <c>TokenType</c> and <c>ExpiresIn</c>.
/// </summary>
public sealed class CognitoFrontTests : IAsyncLifetime
{
    private const string Origin = "http://localhost:5174";
    private const string Exposed = "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date";

    private readonly HttpClient http = new();
    private WebApplication emulator = null!;
    private CognitoFront front = null!;
    private int emulatorPreflights;

    public async Task InitializeAsync()
    {
        emulator = LocalHttp.Create(0);
        emulator.Run(context =>
        {
            // cognito-local's express cors(): any origin, any method, and it answers preflights itself.
            context.Response.Headers.AccessControlAllowOrigin = "*";
            context.Response.Headers.AccessControlAllowMethods = "GET,HEAD,PUT,PATCH,POST,DELETE";
            if (HttpMethods.IsOptions(context.Request.Method)) Interlocked.Increment(ref emulatorPreflights);
            context.Response.ContentType = "application/x-amz-json-1.1";
            return context.Response.WriteAsync(context.Request.Headers["X-Amz-Target"] == "AWSCognitoIdentityProviderService.InitiateAuth"
                ? """{"ChallengeParameters":{},"AuthenticationResult":"""
                    + $$$"""{"AccessToken":"{{{AccessToken}}}","IdToken":"id","RefreshToken":"refresh"}}"""
                : """{"UserConfirmed":false,"UserSub":"sub"}""");
        });
        await emulator.StartAsync();
        front = await CognitoFront.StartAsync(0, emulator.Urls.First(), _ => PasswordPolicy.Default, client => client == "client"
            ? "pool" : null);
    }

    /// <summary>An access token as cognito-local signs it by default: valid for 24 hours.</summary>
    private static readonly string AccessToken = string.Join('.',
        new[] { """{"alg":"RS256","kid":"CognitoLocal"}""", """{"sub":"sub","iat":1700000000,"exp":1700086400}""", "signature" }
            .Select(part => Convert.ToBase64String(Encoding.UTF8.GetBytes(part)).TrimEnd('=').Replace('+', '-').Replace('/', '_')));

    private HttpRequestMessage SignUp(string password, string? origin = Origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, front.Endpoint)
        {
            Content = new StringContent($$"""{"ClientId":"client","Username":"a@example.com","Password":"{{password}}"}""", Encoding.UTF8,
                "application/x-amz-json-1.1"),
        };
        request.Headers.Add("X-Amz-Target", "AWSCognitoIdentityProviderService.SignUp");
        if (origin is not null) request.Headers.Add("Origin", origin);
        return request;
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";

    [Fact]
    public async Task A_preflight_is_answered_as_Cognito_answers_it_whatever_the_origin()
    {
        using var preflight = new HttpRequestMessage(HttpMethod.Options, front.Endpoint);
        preflight.Headers.Add("Origin", Origin);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "cache-control,content-type,x-amz-target,x-amz-user-agent");

        using var answer = await http.SendAsync(preflight);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("*", Header(answer, "Access-Control-Allow-Origin"));
        Assert.Equal("cache-control,content-type,x-amz-target,x-amz-user-agent", Header(answer, "Access-Control-Allow-Headers"));
        Assert.Equal("POST", Header(answer, "Access-Control-Allow-Methods"));
        Assert.Equal("172800", Header(answer, "Access-Control-Max-Age"));
        Assert.Equal(Exposed, Header(answer, "Access-Control-Expose-Headers"));
        Assert.Matches("^[0-9a-f-]{36}$", Header(answer, "x-amzn-RequestId"));
        Assert.Equal(0, emulatorPreflights);
    }

    [Fact]
    public async Task The_emulators_answer_carries_Cognitos_CORS_headers_instead_of_its_own()
    {
        using var answer = await http.SendAsync(SignUp("Passw0rd!"));

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("*", Header(answer, "Access-Control-Allow-Origin"));
        Assert.Equal(Exposed, Header(answer, "Access-Control-Expose-Headers"));
        Assert.Equal("", Header(answer, "Access-Control-Allow-Methods"));
        Assert.Matches("^[0-9a-f-]{36}$", Header(answer, "x-amzn-RequestId"));
    }

    [Fact]
    public async Task The_fronts_own_InvalidPasswordException_is_readable_by_a_browser()
    {
        using var answer = await http.SendAsync(SignUp("weak"));

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal("InvalidPasswordException", Header(answer, "x-amzn-ErrorType"));
        Assert.Equal("*", Header(answer, "Access-Control-Allow-Origin"));
        Assert.Equal(Exposed, Header(answer, "Access-Control-Expose-Headers"));
    }

    [Fact]
    public async Task A_sign_ins_AuthenticationResult_says_Bearer_and_the_access_tokens_lifetime_as_Cognitos_does()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, front.Endpoint)
        {
            Content = new StringContent("""{"ClientId":"client","AuthFlow":"USER_PASSWORD_AUTH"}""", Encoding.UTF8,
                "application/x-amz-json-1.1"),
        };
        request.Headers.Add("X-Amz-Target", "AWSCognitoIdentityProviderService.InitiateAuth");

        using var answer = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("""{"ChallengeParameters":{},"AuthenticationResult":"""
            + $$$"""{"AccessToken":"{{{AccessToken}}}","IdToken":"id","RefreshToken":"refresh","ExpiresIn":86400,"TokenType":"Bearer"}}""",
            await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_call_without_an_origin_gets_no_CORS_headers()
    {
        using var answer = await http.SendAsync(SignUp("Passw0rd!", origin: null));

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("", Header(answer, "Access-Control-Allow-Origin"));
        Assert.Equal("", Header(answer, "Access-Control-Expose-Headers"));
    }

    public async Task DisposeAsync()
    {
        await front.DisposeAsync();
        await emulator.DisposeAsync();
        http.Dispose();
    }
}
