using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Amazon.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Kernel.Aws;
using Serverless.Kernel.Metrics;
using Serverless.Local.Emulators;
using Serverless.Metering;
using Serverless.ServiceDefaults;
using Serverless.TestUtilities;
using static Serverless.TestUtilities.TestApi;

namespace Serverless.Predictions.Tests.Api;

/// <summary>
/// <c>POST/GET /predictions</c> in process, through <see cref="PredictionsApi.Build"/>, on DynamoDB Local and the local model.
/// </summary>
public sealed class PredictionsApiTests(PredictionsApiTests.Fixture fixture) : IClassFixture<PredictionsApiTests.Fixture>
{
    private const string EndpointName = "sentiment";
    private static readonly Plan Plan = new("free", 100);

    public sealed class Fixture : ApiFixture
    {
        private LocalModelServer model = null!;

        protected override async Task<TestApi> StartAsync()
        {
            model = await LocalModelServer.StartAsync(LocalEmulators.Installer(), EndpointName);
            Environment.SetEnvironmentVariable("MODEL_ENDPOINT_NAME", EndpointName);
            return await TestApi.StartAsync(PredictionsApi.Build, Data, services =>
            {
                services.AddSingleton(Plan);
                services.AddSingleton(new SageMakerRuntimeClient(new HttpClient(), endpoint: new Uri(model.Endpoint), region: "us-east-1",
                    credentials: new BasicAWSCredentials("local", "local")));
            });
        }

        public override async Task DisposeAsync()
        {
            await base.DisposeAsync();
            await model.DisposeAsync();
        }
    }

    private HttpClient Client(string sub) => fixture.Api.CreateClient(TestApi.User(sub));

    [Fact]
    public async Task POST_predictions_labels_each_text_in_order_and_GET_lists_it()
    {
        var sub = Guid.NewGuid().ToString();
        var invocation = new TestLambdaContext();

        using var response = await invocation.RunAsync(_ => Client(sub).PostAsync("/predictions",
            Json("""{"texts": ["I love this, it is wonderful!", "This is terrible and I hate it."]}""")));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var metrics = invocation.FlushMetrics();
        Assert.Equal([2.0], metrics.Values(MetricNames.TextsClassified));
        Assert.InRange(Assert.Single(metrics.Values(MetricNames.ModelLatency)), 0, 60_000);
        var prediction = await response.Content.ReadFromJsonAsync<JsonElement>();
        var results = prediction.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["POSITIVE", "NEGATIVE"], results.Select(result => result.GetProperty("label").GetString()));
        var listed = await Client(sub).GetFromJsonAsync<JsonElement>("/predictions");
        var item = Assert.Single(listed.GetProperty("items").EnumerateArray());
        Assert.Equal(prediction.GetProperty("predictionId").GetString(), item.GetProperty("predictionId").GetString());
        var others = await Client(Guid.NewGuid().ToString()).GetFromJsonAsync<JsonElement>("/predictions");
        Assert.Empty(others.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task POST_predictions_names_each_bad_text_in_a_400()
    {
        using var none = await Client(Guid.NewGuid().ToString()).PostAsync("/predictions", Json("""{"texts": []}"""));
        using var blank = await Client(Guid.NewGuid().ToString()).PostAsync("/predictions", Json("""{"texts": ["fine", "  "]}"""));

        Assert.Equal(["Give 1 to 32 texts; this request has 0."], (await Problems.ErrorsAsync(none))["texts"]);
        Assert.Equal(["texts[1]"], (await Problems.ErrorsAsync(blank)).Keys);
    }

    [Fact]
    public async Task POST_predictions_beyond_the_quota_is_a_429_with_Retry_After_and_saves_nothing()
    {
        var sub = Guid.NewGuid().ToString();
        await fixture.Api.Services.GetRequiredService<UsageLedger>().ReserveAsync(
            sub, UsageItem.Month(DateTimeOffset.UtcNow), "test#1", Plan.MonthlyTexts - 1, Plan.MonthlyTexts - 1, CancellationToken.None);

        var invocation = new TestLambdaContext();

        using var response = await invocation.RunAsync(_ => Client(sub).PostAsync("/predictions", Json("""{"texts": ["one", "two"]}""")));

        var problem = await Problems.ReadAsync(response, HttpStatusCode.TooManyRequests);
        var metrics = invocation.FlushMetrics();
        Assert.Equal([1.0], metrics.Values(MetricNames.QuotaRefusals));
        Assert.Empty(metrics.Values(MetricNames.TextsClassified));
        Assert.Empty(metrics.Values(MetricNames.ModelLatency));
        Assert.Equal(2, problem.GetProperty("requested").GetInt64());
        Assert.Equal(1, problem.GetProperty("remaining").GetInt64());
        Assert.NotNull(response.Headers.RetryAfter);
        var listed = await Client(sub).GetFromJsonAsync<JsonElement>("/predictions");
        Assert.Empty(listed.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task GET_predictions_with_a_bad_limit_is_a_400_naming_it()
    {
        using var response = await Client(Guid.NewGuid().ToString()).GetAsync("/predictions?limit=1000");

        Assert.Contains("limit", (await Problems.ErrorsAsync(response)).Keys);
    }

    [Fact]
    public async Task POST_predictions_with_an_oversized_body_is_a_413_problem()
    {
        using var response = await Client(Guid.NewGuid().ToString())
            .PostAsync("/predictions", Json($$"""{"texts": ["{{new string('a', 300_000)}}"]}"""));

        await Problems.ReadAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("GET")]
    public async Task Without_a_user_every_route_is_a_401_problem(string method)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "/predictions")
        {
            Content = method == "POST" ? Json("""{"texts": ["fine"]}""") : null,
        };
        using var response = await fixture.Api.CreateClient().SendAsync(request);

        await Problems.ReadAsync(response, HttpStatusCode.Unauthorized);
    }
}
