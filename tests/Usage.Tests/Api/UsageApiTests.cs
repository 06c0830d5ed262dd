using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Metering;
using Serverless.ServiceDefaults;
using Serverless.TestUtilities;

namespace Serverless.Usage.Tests.Api;

/// <summary><c>GET /usage</c> in process, through <see cref="UsageApi.Build"/>, on DynamoDB Local.</summary>
public sealed class UsageApiTests(UsageApiTests.Fixture fixture) : IClassFixture<UsageApiTests.Fixture>
{
    private static readonly Plan Plan = new("free", 1_000);

    public sealed class Fixture : ApiFixture
    {
        protected override Task<TestApi> StartAsync() => TestApi.StartAsync(UsageApi.Build, Data, services => services.AddSingleton(Plan));
    }

    [Fact]
    public async Task The_month_so_far_counts_the_reserved_texts_against_the_plan()
    {
        var sub = Guid.NewGuid().ToString();
        var month = UsageItem.Month(DateTimeOffset.UtcNow);
        await fixture.Api.Services.GetRequiredService<UsageLedger>().ReserveAsync(sub, month, "test#1", 30, 30, CancellationToken.None);

        using var response = await fixture.Api.CreateClient(TestApi.User(sub)).GetAsync("/usage");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var usage = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(month, usage.GetProperty("month").GetString());
        Assert.Equal(30, usage.GetProperty("reserved").GetInt64());
        Assert.Equal(0, usage.GetProperty("predictions").GetInt64());
        Assert.Equal("free", usage.GetProperty("plan").GetProperty("name").GetString());
        Assert.Equal(1_000, usage.GetProperty("plan").GetProperty("monthlyTexts").GetInt64());
        Assert.Equal(970, usage.GetProperty("remaining").GetProperty("texts").GetInt64());
    }

    [Fact]
    public async Task Another_users_usage_is_not_counted()
    {
        var month = UsageItem.Month(DateTimeOffset.UtcNow);
        await fixture.Api.Services.GetRequiredService<UsageLedger>().ReserveAsync(
            Guid.NewGuid().ToString(), month, "test#1", 30, 30, CancellationToken.None);

        using var response = await fixture.Api.CreateClient(TestApi.User(Guid.NewGuid().ToString())).GetAsync($"/usage?month={month}");

        var usage = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, usage.GetProperty("reserved").GetInt64());
        Assert.Equal(1_000, usage.GetProperty("remaining").GetProperty("texts").GetInt64());
    }

    [Fact]
    public async Task A_past_month_is_empty_and_resets_at_the_next_months_start()
    {
        using var response = await fixture.Api.CreateClient(TestApi.User(Guid.NewGuid().ToString())).GetAsync("/usage?month=2024-02");

        var usage = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("2024-02", usage.GetProperty("month").GetString());
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero), usage.GetProperty("resetsAt").GetDateTimeOffset());
    }

    [Theory]
    [InlineData("2024-13")]
    [InlineData("9999-12")]
    [InlineData("last")]
    public async Task A_month_that_is_not_YYYY_MM_is_a_400_naming_it(string month)
    {
        using var response = await fixture.Api.CreateClient(TestApi.User(Guid.NewGuid().ToString())).GetAsync($"/usage?month={month}");

        var errors = await Problems.ErrorsAsync(response);
        Assert.Contains($"not '{month}'", Assert.Single(errors["month"]));
    }

    [Fact]
    public async Task Without_a_user_it_is_a_401_problem()
    {
        using var response = await fixture.Api.CreateClient().GetAsync("/usage");

        var problem = await Problems.ReadAsync(response, HttpStatusCode.Unauthorized);
        Assert.StartsWith("Sign in", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_deleted_accounts_call_is_a_410_problem()
    {
        var sub = Guid.NewGuid().ToString();
        await fixture.Api.Services.GetRequiredService<AccountDeletions>().WriteTombstoneAsync(sub, CancellationToken.None);

        using var response = await fixture.Api.CreateClient(TestApi.User(sub)).GetAsync("/usage");

        var problem = await Problems.ReadAsync(response, HttpStatusCode.Gone);
        Assert.Equal(AccountDeletions.Deleting, problem.GetProperty("accountStatus").GetString());
    }

    [Fact]
    public async Task Health_is_public()
    {
        using var response = await fixture.Api.CreateClient().GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
