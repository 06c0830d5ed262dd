using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serverless.EndToEnd.Tests;

/// <summary>The Predictions resource through the gateway, classified by the local SageMaker endpoint (VADER).</summary>
[Collection(LocalCloudCollection.Name)]
public sealed class PredictionsTests(LocalCloudFixture cloud)
{
    [Fact]
    public async Task POST_predictions_classifies_each_text_and_GET_predictions_lists_the_call()
    {
        var user = await cloud.NewUserAsync();

        using var created = await cloud.SendAsync(HttpMethod.Post, "/predictions", user.AccessToken,
            """{"texts": ["I love this, it is wonderful!", "This is terrible and I hate it."]}""");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var prediction = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = prediction.GetProperty("predictionId").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", id);
        var results = prediction.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["I love this, it is wonderful!", "This is terrible and I hate it."],
            results.Select(r => r.GetProperty("text").GetString()));
        Assert.Equal(["POSITIVE", "NEGATIVE"], results.Select(r => r.GetProperty("label").GetString()));
        Assert.All(results, r => Assert.InRange(r.GetProperty("score").GetDouble(), 0.5, 1.0));

        using var listed = await cloud.SendAsync(HttpMethod.Get, "/predictions?limit=1", user.AccessToken);
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        var newest = (await listed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().Single();
        Assert.Equal(id, newest.GetProperty("predictionId").GetString());
        Assert.Equal(prediction.GetProperty("createdAt").GetDateTimeOffset(), newest.GetProperty("createdAt").GetDateTimeOffset());
        Assert.Equal(2, newest.GetProperty("textCount").GetInt32());
        Assert.Equal(results.Select(r => (r.GetProperty("label").GetString(), r.GetProperty("score").GetDouble())),
            newest.GetProperty("results").EnumerateArray().Select(r => (r.GetProperty("label").GetString(),
                r.GetProperty("score").GetDouble())));
        Assert.False(newest.TryGetProperty("texts", out _));
    }

    [Fact]
    public async Task GET_predictions_shows_only_the_callers_own_newest_first()
    {
        var user = await cloud.NewUserAsync();
        var other = await cloud.NewUserAsync();
        var first = await CreateAsync(user, "Good.");
        var second = await CreateAsync(user, "Bad.");
        await CreateAsync(other, "Someone else's.");

        using var listed = await cloud.SendAsync(HttpMethod.Get, "/predictions", user.AccessToken);

        var ids = (await listed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray()
            .Select(item => item.GetProperty("predictionId").GetString()).ToList();
        Assert.Equal([second, first], ids);
    }

    [Fact]
    public async Task POST_predictions_with_33_texts_is_a_400_problem_naming_texts()
    {
        var user = await cloud.NewUserAsync();

        using var response = await cloud.SendAsync(HttpMethod.Post, "/predictions", user.AccessToken, Texts(Enumerable.Repeat("Fine.",
            33)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["texts"],
            (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(e => e.Name));
    }

    [Fact]
    public async Task POST_predictions_with_a_5001_character_or_blank_text_is_a_400_problem_naming_it()
    {
        var user = await cloud.NewUserAsync();

        using var response = await cloud.SendAsync(HttpMethod.Post, "/predictions", user.AccessToken, Texts([new string('a', 5_001),
            "Fine.", " "]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["texts[0]", "texts[2]"], errors.EnumerateObject().Select(e => e.Name).Order());
        using var listed = await cloud.SendAsync(HttpMethod.Get, "/predictions", user.AccessToken);
        Assert.Empty((await listed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray());
    }

    [Theory]
    [InlineData("""{"texts": "Fine."}""", "texts", "Must be an array of strings.")]
    [InlineData("""{"texts": ["Fine.", 1]}""", "texts[1]", "Must be a string.")]
    [InlineData("""{"texts": ["Fine."], "model": "big"}""", "model", "Unknown field.")]
    public async Task POST_predictions_with_a_body_of_the_wrong_shape_is_a_400_problem_naming_the_field_in_words(string body,
        string field, string message)
    {
        var user = await cloud.NewUserAsync();

        using var response = await cloud.SendAsync(HttpMethod.Post, "/predictions", user.AccessToken, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($$"""{"{{field}}":["{{message}}"]}""", problem.GetProperty("errors").GetRawText());
        Assert.DoesNotContain("System.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_model_failure_is_a_502_with_a_fixed_sentence_and_the_request_id_and_the_model_services_words_go_to_the_log_only()
    {
        var user = await cloud.NewUserAsync();
        await cloud.FaultModelAsync("""{"mode":"modelError","count":1,"status":500}""");

        using var response = await cloud.SendAsync(HttpMethod.Post, "/predictions", user.AccessToken, Texts(["I love it"]));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        var problem = JsonDocument.Parse(body).RootElement;
        var requestId = problem.GetProperty("requestId").GetString()!;
        Assert.Equal($"The model could not score the texts; try again later. Request id: {requestId}",
            problem.GetProperty("detail").GetString());
        // SageMaker's text names the account and the endpoint's log group: the answer has none of it, the log line all of it.
        Assert.DoesNotContain("logEventViewer", body);
        Assert.DoesNotContain("account", body);
        // As the JSON log line writes the id: its default encoder escapes a '+' of the base64 id as \u002B.
        var logged = JsonSerializer.Serialize(requestId)[1..^1];
        await cloud.LogLineAsync(line => line.Contains(logged) && line.Contains("logEventViewer"),
            $"with the model's message for {requestId}");
    }

    private async Task<string> CreateAsync(TestUser user, string text)
    {
        using var response = await cloud.SendAsync(HttpMethod.Post, "/predictions", user.AccessToken, Texts([text]));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("predictionId").GetString()!;
    }

    private static string Texts(IEnumerable<string> texts) =>
        new JsonObject { ["texts"] = new JsonArray(texts.Select(text => (JsonNode?)text).ToArray()) }.ToJsonString();
}
