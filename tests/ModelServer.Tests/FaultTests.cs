using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Serverless.ModelServer.Tests;

/// <summary>The test-controllable faults, through the admin routes of a running server.</summary>
public sealed class FaultTests(ModelServerFixture server) : IClassFixture<ModelServerFixture>, IAsyncLifetime
{
    private const string Good = """{"inputs": ["good"]}""";

    public Task InitializeAsync() => ClearAsync();

    public Task DisposeAsync() => ClearAsync();

    [Fact]
    public async Task Throttle_answers_429_ThrottlingException_for_the_next_n_invocations()
    {
        var state = await SetAsync("""{"mode": "throttle", "count": 2}""");
        Assert.Equal("throttle", state.GetProperty("mode").GetString());
        Assert.Equal(2, state.GetProperty("remaining").GetInt32());
        Assert.Equal(429, state.GetProperty("status").GetInt32());

        for (var i = 0; i < 2; i++)
        {
            using var throttled = await server.InvokeAsync(Good);
            Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
            Assert.Equal("ThrottlingException", ModelServerFixture.Header(throttled, "x-amzn-ErrorType"));
            Assert.Equal("Rate exceeded", (await ModelServerFixture.JsonAsync(throttled)).GetProperty("message").GetString());
        }
        using var ok = await server.InvokeAsync(Good);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        var after = await GetAsync();
        Assert.Equal("none", after.GetProperty("mode").GetString());
        Assert.Equal(0, after.GetProperty("remaining").GetInt32());
        Assert.Equal(2, after.GetProperty("fired").GetInt32());
    }

    [Fact]
    public async Task Throttle_can_answer_400_as_SageMaker_has_been_seen_to()
    {
        await SetAsync("""{"mode": "throttle", "status": 400}""");

        using var response = await server.InvokeAsync(Good);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("ThrottlingException", ModelServerFixture.Header(response, "x-amzn-ErrorType"));
    }

    [Theory]
    [InlineData("""{"mode": "error5xx"}""", 500, "InternalFailure")]
    [InlineData("""{"mode": "error5xx", "status": 503}""", 503, "ServiceUnavailable")]
    public async Task Error5xx_answers_a_service_failure(string fault, int status, string errorType)
    {
        await SetAsync(fault);

        using var failed = await server.InvokeAsync(Good);
        using var ok = await server.InvokeAsync(Good);

        Assert.Equal((HttpStatusCode)status, failed.StatusCode);
        Assert.Equal(errorType, ModelServerFixture.Header(failed, "x-amzn-ErrorType"));
        Assert.False(string.IsNullOrEmpty((await ModelServerFixture.JsonAsync(failed)).GetProperty("Message").GetString()));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Theory]
    [InlineData("""{"mode": "modelError"}""", 500)]
    [InlineData("""{"mode": "modelError", "status": 503}""", 503)]
    [InlineData("""{"mode": "modelError", "status": 400}""", 400)]
    public async Task ModelError_answers_424_with_the_containers_status(string fault, int originalStatus)
    {
        await SetAsync(fault);

        using var response = await server.InvokeAsync(Good);

        await InvokeEndpointTests.AssertModelErrorAsync(response, originalStatus, "Injected model failure");
    }

    [Fact]
    public async Task Slow_delays_then_answers()
    {
        await SetAsync("""{"mode": "slow", "delayMs": 400}""");

        var clock = Stopwatch.StartNew();
        using var slow = await server.InvokeAsync(Good);
        var slowTime = clock.Elapsed;

        Assert.Equal(HttpStatusCode.OK, slow.StatusCode);
        Assert.Equal("""[{"label":"POSITIVE","score":0.7202}]""", await slow.Content.ReadAsStringAsync());
        Assert.True(slowTime >= TimeSpan.FromMilliseconds(390), $"took {slowTime}");
        var after = await GetAsync();
        Assert.Equal("none", after.GetProperty("mode").GetString());
        Assert.Equal(1, after.GetProperty("fired").GetInt32());
    }

    [Fact]
    public async Task A_caller_that_gives_up_during_a_slow_fault_does_not_disturb_the_server()
    {
        await SetAsync("""{"mode": "slow", "delayMs": 60000}""");
        using var giveUp = new CancellationTokenSource();

        var call = server.Client.PostAsync($"/endpoints/{ModelServerFixture.Endpoint}/invocations",
            new StringContent(Good, System.Text.Encoding.UTF8, "application/json"), giveUp.Token);
        // The caller gives up once the server is in the delay, however long the request took to get there.
        for (var waited = 0; (await GetAsync()).GetProperty("fired").GetInt32() == 0; waited++)
        {
            Assert.True(waited < 600, "The slow fault never fired.");
            await Task.Delay(100);
        }
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        using var ok = await server.InvokeAsync(Good);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Count_minus_one_lasts_until_cleared()
    {
        await SetAsync("""{"mode": "error5xx", "count": -1}""");
        for (var i = 0; i < 5; i++)
        {
            using var failed = await server.InvokeAsync(Good);
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        }
        Assert.Equal(-1, (await GetAsync()).GetProperty("remaining").GetInt32());

        using var delete = await server.Client.DeleteAsync("/_faults");
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        using var ok = await server.InvokeAsync(Good);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Mode_none_clears()
    {
        await SetAsync("""{"mode": "throttle", "count": 3}""");
        var state = await SetAsync("""{"mode": "none"}""");

        Assert.Equal("none", state.GetProperty("mode").GetString());
        using var ok = await server.InvokeAsync(Good);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Requests_SageMaker_rejects_first_do_not_use_up_a_fault()
    {
        await SetAsync("""{"mode": "throttle", "count": 1}""");

        using var unknown = await server.InvokeAsync(Good, endpoint: "no-such-endpoint");
        using var throttled = await server.InvokeAsync(Good);

        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal("ValidationError", ModelServerFixture.Header(unknown, "x-amzn-ErrorType"));
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
    }

    [Fact]
    public async Task Concurrent_invocations_take_exactly_count_faults()
    {
        await SetAsync("""{"mode": "throttle", "count": 25}""");

        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(async _ =>
        {
            using var response = await server.InvokeAsync(Good);
            return response.StatusCode;
        }));

        Assert.Equal(25, responses.Count(status => status == HttpStatusCode.TooManyRequests));
        Assert.Equal(75, responses.Count(status => status == HttpStatusCode.OK));
    }

    [Theory]
    [InlineData("""{"mode": "explode"}""", "unknown mode")]
    [InlineData("""{"count": 2}""", "mode is required")]
    [InlineData("""{"mode": "throttle", "count": 0}""", "count must be")]
    [InlineData("""{"mode": "throttle", "status": 503}""", "status must be 429 or 400")]
    [InlineData("""{"mode": "error5xx", "status": 502}""", "status must be 500 or 503")]
    [InlineData("""{"mode": "slow", "delayMs": -5}""", "delayMs must be")]
    [InlineData("""{"mode": "modelError", "status": 200}""", "status must be 400")]
    [InlineData("""{"mode": """, "invalid JSON")]
    public async Task Bad_fault_requests_are_400(string body, string expected)
    {
        using var response =
            await server.Client.PostAsync("/_faults", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, (await ModelServerFixture.JsonAsync(response)).GetProperty("message").GetString(),
            StringComparison.Ordinal);
        Assert.Equal("none", (await GetAsync()).GetProperty("mode").GetString());
    }

    private async Task<JsonElement> SetAsync(string json)
    {
        using var response =
            await server.Client.PostAsync("/_faults", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await ModelServerFixture.JsonAsync(response);
    }

    private async Task<JsonElement> GetAsync() => await server.Client.GetFromJsonAsync<JsonElement>("/_faults");

    private async Task ClearAsync()
    {
        using var response = await server.Client.DeleteAsync("/_faults");
        response.EnsureSuccessStatusCode();
    }
}
