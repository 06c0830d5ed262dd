using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Serverless.ServiceDefaults;
using Serverless.TestUtilities;
using static Serverless.TestUtilities.TestApi;

namespace Serverless.Profile.Tests.Api;

/// <summary>
/// <c>GET/PATCH /me</c> in process, through <see cref="ProfileApi.Build"/>, on DynamoDB Local. <c>DELETE /me</c> needs
/// Cognito and the purge function: the end-to-end tests cover it.
/// </summary>
public sealed class ProfileApiTests(ProfileApiTests.Fixture fixture) : IClassFixture<ProfileApiTests.Fixture>
{
    public sealed class Fixture : ApiFixture
    {
        protected override Task<TestApi> StartAsync()
        {
            // Read when the API is built; no test here reaches Cognito or the purge.
            Environment.SetEnvironmentVariable("USER_POOL_ID", "us-east-1_tests");
            Environment.SetEnvironmentVariable("PURGE_ACCOUNT_FUNCTION", "purge-account-tests");
            return TestApi.StartAsync(ProfileApi.Build, Data);
        }
    }

    /// <summary>A user with a profile, as CreateProfile makes it at sign-up; answers the user's client.</summary>
    private async Task<(string Sub, HttpClient Client)> SignedUpAsync()
    {
        var sub = Guid.NewGuid().ToString();
        await fixture.Api.Services.GetRequiredService<Profiles>().CreateAsync(sub, $"{sub}@example.com", "Ada", CancellationToken.None);
        return (sub, fixture.Api.CreateClient(TestApi.User(sub)));
    }

    [Fact]
    public async Task GET_me_answers_the_users_own_profile()
    {
        var (sub, client) = await SignedUpAsync();

        using var response = await client.GetAsync("/me");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var profile = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(sub, profile.GetProperty("userId").GetString());
        Assert.Equal($"{sub}@example.com", profile.GetProperty("email").GetString());
        Assert.Equal("Ada", profile.GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task GET_me_without_a_profile_is_a_404_problem()
    {
        using var response = await fixture.Api.CreateClient(TestApi.User(Guid.NewGuid().ToString())).GetAsync("/me");

        var problem = await Problems.ReadAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("There is no profile for this user.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task PATCH_me_changes_the_fields_sent_and_keeps_the_others()
    {
        var (_, client) = await SignedUpAsync();

        using var response = await client.PatchAsync("/me", Json("""{"locale": "en-GB"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var profile = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("en-GB", profile.GetProperty("locale").GetString());
        Assert.Equal("Ada", profile.GetProperty("displayName").GetString());
        var read = await client.GetFromJsonAsync<JsonElement>("/me");
        Assert.Equal("en-GB", read.GetProperty("locale").GetString());
    }

    [Fact]
    public async Task PATCH_me_names_each_bad_field_in_a_400()
    {
        var (_, client) = await SignedUpAsync();

        using var response = await client.PatchAsync("/me", Json("""{"displayName": "  ", "locale": "english please"}"""));

        var errors = await Problems.ErrorsAsync(response);
        Assert.Equal(["displayName", "locale"], errors.Keys.Order());
        var read = await client.GetFromJsonAsync<JsonElement>("/me");
        Assert.Equal("Ada", read.GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task PATCH_me_with_nothing_to_change_or_an_unknown_field_is_a_400()
    {
        var (_, client) = await SignedUpAsync();

        using var empty = await client.PatchAsync("/me", Json("{}"));
        using var unknown = await client.PatchAsync("/me", Json("""{"email": "x@example.com"}"""));

        Assert.Contains("body", (await Problems.ErrorsAsync(empty)).Keys);
        Assert.Contains("email", (await Problems.ErrorsAsync(unknown)).Keys);
    }

    [Fact]
    public async Task PATCH_me_without_a_profile_is_a_404_problem()
    {
        using var response = await fixture.Api.CreateClient(TestApi.User(Guid.NewGuid().ToString()))
            .PatchAsync("/me", Json("""{"locale": "en"}"""));

        await Problems.ReadAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PATCH_me_with_a_body_that_is_not_json_is_a_415_problem()
    {
        var (_, client) = await SignedUpAsync();

        using var response = await client.PatchAsync("/me", new StringContent("locale=en", Encoding.UTF8, "text/plain"));

        var problem = await Problems.ReadAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("'Content-Type: application/json'", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task PATCH_me_with_an_oversized_body_is_a_413_problem()
    {
        var (_, client) = await SignedUpAsync();

        using var response = await client.PatchAsync("/me", Json($$"""{"displayName": "{{new string('a', 300_000)}}"}"""));

        var problem = await Problems.ReadAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("at most 256 KiB", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public async Task Without_a_user_every_route_is_a_401_problem(string method)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "/me") { Content = method == "PATCH" ? Json("{}") : null };
        using var response = await fixture.Api.CreateClient().SendAsync(request);

        await Problems.ReadAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_deleted_accounts_GET_me_is_a_410_problem()
    {
        var (sub, client) = await SignedUpAsync();
        await fixture.Api.Services.GetRequiredService<AccountDeletions>().WriteTombstoneAsync(sub, CancellationToken.None);

        using var response = await client.GetAsync("/me");

        var problem = await Problems.ReadAsync(response, HttpStatusCode.Gone);
        Assert.Equal(AccountDeletions.Deleting, problem.GetProperty("accountStatus").GetString());
    }
}
