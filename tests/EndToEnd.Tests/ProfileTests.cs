using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Local;

namespace Serverless.EndToEnd.Tests;

/// <summary>The Profile resource through the gateway: sign-up creates the profile; GET, PATCH, DELETE /me.</summary>
[Collection(LocalCloudCollection.Name)]
public sealed class ProfileTests(LocalCloudFixture cloud)
{
    /// <summary>The one time format of every answer: UTC to the millisecond, as JavaScript's <c>toISOString()</c> writes it.</summary>
    private const string TimestampPattern = @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$";

    [Fact]
    public async Task Confirmed_sign_up_creates_the_profile_that_GET_me_returns()
    {
        var user = await cloud.NewUserAsync();

        using var response = await cloud.SendAsync(HttpMethod.Get, "/me", user.AccessToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var profile = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(user.Email, profile.GetProperty("email").GetString());
        Assert.Equal(user.Email.Split('@')[0], profile.GetProperty("displayName").GetString());
        Assert.Matches("^[0-9a-f-]{36}$", profile.GetProperty("userId").GetString());
        Assert.Matches(TimestampPattern, profile.GetProperty("createdAt").GetString());
        Assert.Equal(profile.GetProperty("createdAt").GetString(), profile.GetProperty("updatedAt").GetString());
    }

    [Fact]
    public async Task PATCH_me_changes_the_given_fields_and_keeps_the_others()
    {
        var user = await cloud.NewUserAsync();

        using var response = await cloud.SendAsync(HttpMethod.Patch, "/me", user.AccessToken, """{"displayName": "  Ada Lovelace "}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var profile = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Ada Lovelace", profile.GetProperty("displayName").GetString());
        Assert.Equal(user.Email, profile.GetProperty("email").GetString());
        Assert.Matches(TimestampPattern, profile.GetProperty("updatedAt").GetString());
        Assert.True(string.CompareOrdinal(profile.GetProperty("updatedAt").GetString(), profile.GetProperty("createdAt").GetString()) > 0);
        using var again = await cloud.SendAsync(HttpMethod.Get, "/me", user.AccessToken);
        Assert.Equal("Ada Lovelace", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("displayName").GetString());
    }

    [Theory]
    [InlineData("""{"displayName": ""}""", "displayName")]
    [InlineData("""{"locale": "not a locale"}""", "locale")]
    [InlineData("""{}""", "body")]
    public async Task PATCH_me_with_a_bad_field_is_a_400_problem_naming_it(string body, string field)
    {
        var user = await cloud.NewUserAsync();

        using var response = await cloud.SendAsync(HttpMethod.Patch, "/me", user.AccessToken, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Theory]
    [InlineData("""{"displayName": "A", "isAdmin": true}""", "isAdmin", "Unknown field.",
        "The body has a field this API does not take: isAdmin.")]
    [InlineData("""{"displayName": ["A"]}""", "displayName", "Must be a string.", "The body's field displayName must be a string.")]
    [InlineData("""{"displayName": """, "body", "Not valid JSON.", "The body is not valid JSON: the error is at line 1, byte 17.")]
    [InlineData(null, "body", "A JSON body is required.", "A JSON body is required.")]
    public async Task PATCH_me_with_a_body_that_does_not_bind_is_a_400_problem_that_says_why_in_words(
        string? body, string field, string message, string detail)
    {
        var user = await cloud.NewUserAsync();

        using var response = await cloud.SendAsync(HttpMethod.Patch, "/me", user.AccessToken, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($$"""{"{{field}}":["{{message}}"]}""", problem.GetProperty("errors").GetRawText());
        Assert.Equal(detail, problem.GetProperty("detail").GetString());
        Assert.Equal("One or more validation errors occurred.", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task PATCH_me_with_a_non_json_or_oversized_body_is_a_4xx_problem()
    {
        var user = await cloud.NewUserAsync();

        using var text = await cloud.SendAsync(HttpMethod.Patch, "/me", user.AccessToken, "displayName=Ada", "text/plain");
        using var huge = await cloud.SendAsync(HttpMethod.Patch, "/me", user.AccessToken,
            $$"""{"displayName": "{{new string('a', 300_000)}}"}""");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
        Assert.Equal("application/problem+json", text.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Send the body as JSON with 'Content-Type: application/json'; this request's is 'text/plain; charset=utf-8'.",
            (await text.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        Assert.Equal("application/problem+json", huge.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("The request body is 300019 bytes; this API takes at most 256 KiB",
            (await huge.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task DELETE_me_answers_202_and_the_account_is_refused_from_then_on_and_can_be_repeated()
    {
        var user = await cloud.NewUserAsync();

        using var deleted = await cloud.SendAsync(HttpMethod.Delete, "/me", user.AccessToken);
        using var afterwards = await cloud.SendAsync(HttpMethod.Get, "/me", user.AccessToken);
        using var again = await cloud.SendAsync(HttpMethod.Delete, "/me", user.AccessToken);

        Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
        var status = await deleted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("DELETING", status.GetProperty("status").GetString());
        Assert.Matches(TimestampPattern, status.GetProperty("requestedAt").GetString());
        Assert.Equal(HttpStatusCode.Gone, afterwards.StatusCode);
        Assert.Equal("application/problem+json", afterwards.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(status.GetProperty("requestedAt").GetString(),
            (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requestedAt").GetString());
    }

    [Fact]
    public async Task A_second_PostConfirmation_delivery_changes_nothing()
    {
        var user = await cloud.NewUserAsync();
        using var before = await cloud.SendAsync(HttpMethod.Get, "/me", user.AccessToken);
        var profile = await before.Content.ReadFromJsonAsync<JsonElement>();
        var trigger = new JsonObject
        {
            ["version"] = "1",
            ["region"] = "us-east-1",
            ["userPoolId"] = cloud.Output("UserPoolId"),
            ["userName"] = profile.GetProperty("userId").GetString(),
            ["callerContext"] = new JsonObject { ["awsSdkVersion"] = "aws-sdk-unknown-unknown",
                ["clientId"] = cloud.Output("UserPoolClientId") },
            ["triggerSource"] = "PostConfirmation_ConfirmSignUp",
            ["request"] = new JsonObject
            {
                ["userAttributes"] = new JsonObject
                {
                    ["sub"] = profile.GetProperty("userId").GetString(),
                    ["email_verified"] = "true",
                    ["cognito:user_status"] = "CONFIRMED",
                    ["email"] = "someone-else@example.com",
                },
            },
            ["response"] = new JsonObject(),
        };

        using var invoked = await cloud.Http.SendAsync(await new HttpRequestMessage(HttpMethod.Post,
            $"{cloud.Output("LambdaEndpoint")}/2015-03-31/functions/CreateProfileFunction/invocations")
        {
            Content = new StringContent(trigger.ToJsonString()),
        }.SignedAsync("lambda"));
        using var after = await cloud.SendAsync(HttpMethod.Get, "/me", user.AccessToken);

        Assert.Equal(HttpStatusCode.OK, invoked.StatusCode);
        Assert.False(invoked.Headers.Contains("X-Amz-Function-Error"));
        Assert.Equal("PostConfirmation_ConfirmSignUp",
            (await invoked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("triggerSource").GetString());
        Assert.Equal(profile.ToString(), (await after.Content.ReadFromJsonAsync<JsonElement>()).ToString());
    }

    [Fact]
    public async Task Health_is_public()
    {
        using var response = await cloud.Api.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }
}
