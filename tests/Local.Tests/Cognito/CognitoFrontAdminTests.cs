using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Serverless.Kernel.Aws;
using Serverless.Local.Cognito;
using Serverless.Local.Http;

namespace Serverless.Local.Tests.Cognito;

/// <summary>
/// Cognito's admin operations need SigV4 with the local credentials, as on Cognito (400 with the error in
/// <c>__type</c>), never answer a web page, and carry no CORS headers; the public ones stay open to any origin.
/// The stand-in emulator answers every call with CORS <c>*</c>, as cognito-local does, and counts what reaches it.
/// </summary>
public sealed class CognitoFrontAdminTests : IAsyncLifetime
{
    private const string Page = "https://evil.example";

    private readonly HttpClient http = new();
    private readonly List<string> forwarded = [];
    private WebApplication emulator = null!;
    private CognitoFront front = null!;

    public async Task InitializeAsync()
    {
        emulator = LocalHttp.Create(0);
        emulator.Run(context =>
        {
            lock (forwarded) forwarded.Add(context.Request.Headers["X-Amz-Target"].ToString().Split('.').Last());
            context.Response.Headers.AccessControlAllowOrigin = "*";
            context.Response.ContentType = "application/x-amz-json-1.1";
            return context.Response.WriteAsync("""{"Users":[{"Username":"victim"}]}""");
        });
        await emulator.StartAsync();
        front = await CognitoFront.StartAsync(0, emulator.Urls.First(), _ => PasswordPolicy.Default, _ => "pool");
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await front.DisposeAsync();
        await emulator.DisposeAsync();
    }

    private HttpRequestMessage Call(string action, string? origin = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, front.Endpoint)
        {
            Content = new StringContent("""{"UserPoolId":"pool","Username":"victim"}""", Encoding.UTF8, "application/x-amz-json-1.1"),
        };
        request.Headers.Add("X-Amz-Target", $"AWSCognitoIdentityProviderService.{action}");
        if (origin is not null) request.Headers.Add("Origin", origin);
        return request;
    }

    [Theory]
    [InlineData("ListUsers")]
    [InlineData("AdminDeleteUser")]
    public async Task An_unsigned_admin_call_from_a_web_page_is_refused_without_CORS_headers(string action)
    {
        using var answer = await http.SendAsync(Call(action, Page));

        Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
        Assert.False(answer.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Empty(Forwarded());
    }

    [Fact]
    public async Task An_unsigned_admin_call_is_refused_as_Cognito_refuses_it()
    {
        using var answer = await http.SendAsync(Call("AdminDeleteUser"));

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal("MissingAuthenticationTokenException", await TypeAsync(answer));
        Assert.Empty(Forwarded());
    }

    [Theory]
    [InlineData("local", "wrong", "InvalidSignatureException")]
    [InlineData("AKIAOTHER", "local", "UnrecognizedClientException")]
    public async Task An_admin_call_signed_with_other_credentials_is_refused(string accessKey, string secretKey, string type)
    {
        using var request = Call("ListUsers");
        await SigV4.SignAsync(request, new ImmutableCredentials(accessKey, secretKey, null), "us-east-1", "cognito-idp",
            DateTimeOffset.UtcNow, CancellationToken.None);

        using var answer = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal(type, await TypeAsync(answer));
        Assert.Empty(Forwarded());
    }

    [Fact]
    public async Task A_signed_admin_call_goes_through_and_carries_no_CORS_headers()
    {
        using var answer = await http.SendAsync(await Call("ListUsers").SignedAsync("cognito-idp"));

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.False(answer.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Equal(["ListUsers"], Forwarded());
    }

    [Fact]
    public async Task A_public_call_from_a_web_page_stays_open_with_CORS()
    {
        using var answer = await http.SendAsync(Call("InitiateAuth", Page));

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("*", answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal(["InitiateAuth"], Forwarded());
    }

    private List<string> Forwarded()
    {
        lock (forwarded) return [.. forwarded];
    }

    private static async Task<string?> TypeAsync(HttpResponseMessage answer) =>
        JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("__type").GetString();
}
