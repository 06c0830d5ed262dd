using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Serverless.Metering;
using Serverless.ServiceDefaults;
using static System.Net.HttpStatusCode;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// docs/openapi.yaml tells the truth: every answer the real API gives these requests (success and each error a route
/// documents) has a status the document lists for its route, the headers it requires, and a body its schema accepts
/// (<see cref="OpenApiContract"/>). The routes themselves are held to template.yaml by Local.Tests' OpenApiRouteTests.
/// </summary>
[Collection(LocalCloudCollection.Name)]
public sealed class OpenApiContractTests(LocalCloudFixture cloud)
{
    /// <summary>An upload id of the right form that no one has.</summary>
    private const string NoSuchUpload = "0196d2f1a3b87c0e9d2a4f6b8c1e3a5d";

    [Fact]
    public async Task Every_route_answers_the_gateways_401_without_a_valid_token_and_403_to_an_ID_token()
    {
        var user = await cloud.NewUserAsync();

        foreach (var (method, path, secured) in OpenApiContract.Document.Operations)
        {
            var concrete = path.Replace("{id}", NoSuchUpload);
            if (!secured)
            {
                await SendAsync(OK, method, concrete, token: null);
                continue;
            }
            await SendAsync(Unauthorized, method, concrete, token: null);
            await SendAsync(Unauthorized, method, concrete, "not-a-jwt");
            await SendAsync(Forbidden, method, concrete, user.IdToken);
        }
    }

    [Fact]
    public async Task Profile_answers_are_the_documented_ones()
    {
        var token = (await cloud.NewUserAsync()).AccessToken;

        await SendAsync(OK, HttpMethod.Get, "/me", token);
        var changed = await SendAsync(OK, HttpMethod.Patch, "/me", token, """{"displayName": "Ada", "locale": "en-GB"}""");
        var invalid = await SendAsync(BadRequest, HttpMethod.Patch, "/me", token, """{"locale": "not a locale"}""");
        var unknown = await SendAsync(BadRequest, HttpMethod.Patch, "/me", token, """{"displayName": "A", "isAdmin": true}""");
        await SendAsync(BadRequest, HttpMethod.Patch, "/me", token, """{"displayName": """);
        await SendAsync(BadRequest, HttpMethod.Patch, "/me", token);
        await SendAsync(UnsupportedMediaType, HttpMethod.Patch, "/me", token, "displayName=Ada", "text/plain");
        await SendAsync(RequestEntityTooLarge, HttpMethod.Patch, "/me", token, $$"""{"displayName": "{{new string('a', 300_000)}}"}""");
        await SendAsync(Accepted, HttpMethod.Delete, "/me", token);
        await SendAsync(Gone, HttpMethod.Get, "/me", token);
        await SendAsync(Gone, HttpMethod.Patch, "/me", token, """{"displayName": "Ada"}""");
        await SendAsync(Accepted, HttpMethod.Delete, "/me", token);

        Assert.Equal("en-GB", changed.GetProperty("locale").GetString());
        Assert.True(invalid.GetProperty("errors").TryGetProperty("locale", out _));
        Assert.True(unknown.GetProperty("errors").TryGetProperty("isAdmin", out _));
    }

    [Fact]
    public async Task Upload_answers_are_the_documented_ones_from_creation_to_results()
    {
        var token = (await cloud.NewUserAsync()).AccessToken;
        var stranger = (await cloud.NewUserAsync()).AccessToken;
        var rows = "text\nI love this product!\nThe box arrived broken and late.\n"u8.ToArray();
        var (scored, scoredPut) = await CreateUploadAsync(token, "reviews.csv", rows.Length);
        var (empty, emptyPut) = await CreateUploadAsync(token, "empty.csv", 5);

        var page = await SendAsync(OK, HttpMethod.Get, "/uploads?limit=1", token);
        await SendAsync(OK, HttpMethod.Get,
            $"/uploads?limit=1&cursor={Uri.EscapeDataString(page.GetProperty("nextCursor").GetString()!)}", token);
        await SendAsync(BadRequest, HttpMethod.Get, "/uploads?limit=0", token);
        await SendAsync(BadRequest, HttpMethod.Get, "/uploads?limit=ten", token);
        await SendAsync(BadRequest, HttpMethod.Get, "/uploads?cursor=bm90LWEta2V5", token);
        await SendAsync(BadRequest, HttpMethod.Post, "/uploads", token,
            """{"fileName": "a/b.csv", "contentType": "image/png", "size": 0}""");
        await SendAsync(BadRequest, HttpMethod.Post, "/uploads", token,
            """{"fileName": "a.csv", "contentType": "text/csv", "size": "ten"}""");
        await SendAsync(UnsupportedMediaType, HttpMethod.Post, "/uploads", token, "fileName=a.csv", "text/plain");
        await SendAsync(RequestEntityTooLarge, HttpMethod.Post, "/uploads", token, $$"""{"fileName": "{{new string('a', 300_000)}}"}""");
        var pending = await SendAsync(OK, HttpMethod.Get, $"/uploads/{scored}", token);
        var early = await SendAsync(Conflict, HttpMethod.Get, $"/uploads/{scored}/results", token);
        await SendAsync(NotFound, HttpMethod.Get, $"/uploads/{scored}", stranger);
        await SendAsync(NotFound, HttpMethod.Get, $"/uploads/{scored}/results", stranger);
        await SendAsync(NotFound, HttpMethod.Delete, $"/uploads/{scored}", stranger);
        await SendAsync(NotFound, HttpMethod.Get, "/uploads/not-an-upload-id", token);

        await PutAsync(scoredPut, rows);
        await PutAsync(emptyPut, "text\n"u8.ToArray());
        var completed = await EndedAsync(token, scored);
        var failed = await EndedAsync(token, empty);
        await SendAsync(OK, HttpMethod.Get, $"/uploads/{scored}/results", token);
        var noResults = await SendAsync(Conflict, HttpMethod.Get, $"/uploads/{empty}/results", token);
        await SendAsync(NoContent, HttpMethod.Delete, $"/uploads/{scored}", token);
        await SendAsync(NotFound, HttpMethod.Delete, $"/uploads/{scored}", token);

        Assert.Equal("PENDING_UPLOAD", pending.GetProperty("status").GetString());
        Assert.Equal("PENDING_UPLOAD", early.GetProperty("uploadStatus").GetString());
        Assert.Equal("COMPLETED", completed.GetProperty("status").GetString());
        Assert.Equal("FAILED", failed.GetProperty("status").GetString());
        Assert.Equal("FAILED", noResults.GetProperty("uploadStatus").GetString());
    }

    [Fact]
    public async Task Prediction_answers_are_the_documented_ones()
    {
        var token = (await cloud.NewUserAsync()).AccessToken;

        await SendAsync(Created, HttpMethod.Post, "/predictions", token,
            """{"texts": ["I love it!", "This is terrible.", "It is a chair."]}""");
        await SendAsync(Created, HttpMethod.Post, "/predictions", token, """{"texts": ["Fine."]}""");
        var page = await SendAsync(OK, HttpMethod.Get, "/predictions?limit=1", token);
        await SendAsync(OK, HttpMethod.Get, $"/predictions?cursor={Uri.EscapeDataString(page.GetProperty("nextCursor").GetString()!)}",
            token);
        await SendAsync(BadRequest, HttpMethod.Get, "/predictions?limit=101", token);
        await SendAsync(BadRequest, HttpMethod.Get, "/predictions?cursor=bm90LWEta2V5", token);
        var invalid = await SendAsync(BadRequest, HttpMethod.Post, "/predictions", token, """{"texts": ["Fine.", " "]}""");
        await SendAsync(BadRequest, HttpMethod.Post, "/predictions", token,
            JsonSerializer.Serialize(new { texts = Enumerable.Repeat("Fine.", 33) }));
        await SendAsync(BadRequest, HttpMethod.Post, "/predictions", token, """{"texts": "Fine."}""");
        await SendAsync(BadRequest, HttpMethod.Post, "/predictions", token);
        await SendAsync(UnsupportedMediaType, HttpMethod.Post, "/predictions", token, "Fine.", "text/plain");

        Assert.True(invalid.GetProperty("errors").TryGetProperty("texts[1]", out _));
    }

    [Fact]
    public async Task Model_failures_are_the_documented_problems()
    {
        var token = (await cloud.NewUserAsync()).AccessToken;
        const string Texts = """{"texts": ["I love it!"]}""";
        try
        {
            await cloud.FaultModelAsync("""{"mode": "modelError", "count": 1}""");
            await SendAsync(BadGateway, HttpMethod.Post, "/predictions", token, Texts);
            await cloud.FaultModelAsync("""{"mode": "throttle", "count": -1}""");
            await SendAsync(ServiceUnavailable, HttpMethod.Post, "/predictions", token, Texts);
        }
        finally
        {
            await cloud.FaultModelAsync("""{"mode": "none"}""");
        }
    }

    [Fact]
    public async Task Usage_and_quota_answers_are_the_documented_ones()
    {
        var user = await cloud.NewUserAsync();
        var token = user.AccessToken;

        var usage = await SendAsync(OK, HttpMethod.Get, "/usage", token);
        await SendAsync(OK, HttpMethod.Get, "/usage?month=2001-02", token);
        await SendAsync(BadRequest, HttpMethod.Get, "/usage?month=2026-13", token);
        await SendAsync(BadRequest, HttpMethod.Get, "/usage?month=0000-01", token);
        await SendAsync(BadRequest, HttpMethod.Get, "/usage?month=9999-12", token);
        var quota = new AttributeValue { N = usage.GetProperty("plan").GetProperty("monthlyTexts").GetInt64()
            .ToString(System.Globalization.CultureInfo.InvariantCulture) };
        using (var db = cloud.CreateDynamoDb())
            await db.PutItemAsync(cloud.Output("TableName"), new Dictionary<string, AttributeValue>(UsageItem.Key(user.Sub,
                usage.GetProperty("month").GetString()!))
            {
                [UsageItem.Predictions] = quota,
                [UsageItem.Charged] = quota,
            });
        var spent = await SendAsync(TooManyRequests, HttpMethod.Post, "/predictions", token, """{"texts": ["One more."]}""");
        await SendAsync(TooManyRequests, HttpMethod.Post, "/uploads", token,
            """{"fileName": "a.csv", "contentType": "text/csv", "size": 10}""");

        Assert.Equal(0, spent.GetProperty("remaining").GetInt64());
    }

    /// <summary>
    /// Sends the request (with the bearer token, if any), asserts its status and that the document allows the answer; its
    /// JSON body (<c>default</c> when it has none).
    /// </summary>
    private async Task<JsonElement> SendAsync(HttpStatusCode expected, HttpMethod method, string path, string? token,
        string? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, contentType);
        using var response = await cloud.Api.SendAsync(request);
        Assert.True(response.StatusCode == expected,
            $"{method} {path} answered {(int)response.StatusCode}, not {(int)expected}: {await response.Content.ReadAsStringAsync()}");
        return await OpenApiContract.Document.AssertAsync(response) ?? default;
    }

    private async Task<(string Id, JsonElement Put)> CreateUploadAsync(string token, string fileName, long size)
    {
        var created = await SendAsync(Created, HttpMethod.Post, "/uploads", token,
            JsonSerializer.Serialize(new { fileName, contentType = "text/csv", size }));
        return (created.GetProperty("upload").GetProperty("uploadId").GetString()!, created.GetProperty("uploadRequest"));
    }

    /// <summary>Sends the file as a browser does with the presigned request: its method, URL and exactly its headers.</summary>
    private async Task PutAsync(JsonElement put, byte[] file)
    {
        using var request = PresignedPut.Of(put, file);
        using var response = await cloud.Http.SendAsync(request);
        Assert.Equal(OK, response.StatusCode);
    }

    /// <summary>GET /uploads/{id}, each answer held to the document, until the upload is COMPLETED or FAILED.</summary>
    private async Task<JsonElement> EndedAsync(string token, string id)
    {
        for (var attempt = 0; ; attempt++)
        {
            var upload = await SendAsync(OK, HttpMethod.Get, $"/uploads/{id}", token);
            if (upload.GetProperty("status").GetString() is "COMPLETED" or "FAILED") return upload;
            Assert.True(attempt < 1200,
                $"Upload {id} is still {upload.GetProperty("status")}; log: {string.Join('\n', cloud.Log.TakeLast(30))}");
            await Task.Delay(100);
        }
    }
}
