using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Amazon.S3;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Kernel.Metrics;
using Serverless.Local;
using Serverless.Metering;
using Serverless.ServiceDefaults;
using Serverless.TestUtilities;
using static Serverless.TestUtilities.TestApi;

namespace Serverless.Uploads.Tests.Api;

/// <summary>
/// The Uploads API in process, through <see cref="UploadsApi.Build"/>, on DynamoDB Local. Presigning needs no S3; deleting a
/// file does, so an owner's <c>DELETE</c> and the upload's processing stay covered end to end.
/// </summary>
public sealed class UploadsApiTests(UploadsApiTests.Fixture fixture) : IClassFixture<UploadsApiTests.Fixture>
{
    private const long MaxUploadBytes = 1024 * 1024;
    private static readonly Plan Plan = new("free", 100);

    public sealed class Fixture : ApiFixture
    {
        protected override Task<TestApi> StartAsync()
        {
            Environment.SetEnvironmentVariable("BUCKET_NAME", "uploads-tests");
            Environment.SetEnvironmentVariable("MAX_UPLOAD_BYTES", MaxUploadBytes.ToString(CultureInfo.InvariantCulture));
            return TestApi.StartAsync(UploadsApi.Build, Data, services =>
            {
                services.AddSingleton(Plan);
                // Presigned URLs are made locally; nothing here sends S3 a request.
                services.AddSingleton<IAmazonS3>(LocalClients.S3("http://127.0.0.1:4566"));
            });
        }
    }

    private HttpClient Client(string sub) => fixture.Api.CreateClient(TestApi.User(sub));

    private static StringContent NewUpload(string fileName = "reviews.csv", long size = 100) =>
        Json($$"""{"fileName": "{{fileName}}", "contentType": "text/csv", "size": {{size}}}""");

    /// <summary>Creates an upload as the user; answers its id.</summary>
    private async Task<string> CreateAsync(string sub, string fileName = "reviews.csv")
    {
        using var response = await Client(sub).PostAsync("/uploads", NewUpload(fileName));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        return created.GetProperty("upload").GetProperty("uploadId").GetString()!;
    }

    [Fact]
    public async Task POST_uploads_records_a_pending_upload_and_presigns_its_PUT()
    {
        var sub = Guid.NewGuid().ToString();

        using var response = await Client(sub).PostAsync("/uploads", NewUpload(size: 123));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var upload = created.GetProperty("upload");
        var id = upload.GetProperty("uploadId").GetString()!;
        Assert.Equal($"/uploads/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("PENDING_UPLOAD", upload.GetProperty("status").GetString());
        Assert.Equal(123, upload.GetProperty("size").GetInt64());
        var put = created.GetProperty("uploadRequest");
        Assert.Equal("PUT", put.GetProperty("method").GetString());
        Assert.Contains($"uploads/{sub}/{id}/reviews.csv", put.GetProperty("url").GetString());
        Assert.Equal("text/csv", put.GetProperty("headers").GetProperty("Content-Type").GetString());
    }

    [Fact]
    public async Task POST_uploads_names_each_bad_field_in_a_400()
    {
        using var response = await Client(Guid.NewGuid().ToString()).PostAsync("/uploads",
            Json($$"""{"fileName": "a/b.csv", "contentType": "image/png", "size": {{MaxUploadBytes + 1}}}"""));

        var errors = await Problems.ErrorsAsync(response);
        Assert.Equal(["contentType", "fileName", "size"], errors.Keys.Order());
        Assert.Equal([$"The size must be between 1 and {MaxUploadBytes} bytes."], errors["size"]);
    }

    [Fact]
    public async Task POST_uploads_with_the_quota_used_up_is_a_429_with_Retry_After()
    {
        var sub = Guid.NewGuid().ToString();
        await fixture.Api.Services.GetRequiredService<UsageLedger>().ReserveAsync(
            sub, UsageItem.Month(DateTimeOffset.UtcNow), "test#1", Plan.MonthlyTexts, Plan.MonthlyTexts, CancellationToken.None);

        var invocation = new TestLambdaContext();

        using var response = await invocation.RunAsync(_ => Client(sub).PostAsync("/uploads", NewUpload()));

        var problem = await Problems.ReadAsync(response, HttpStatusCode.TooManyRequests);
        Assert.Equal(0, problem.GetProperty("remaining").GetInt64());
        Assert.Equal([1.0], invocation.FlushMetrics().Values(MetricNames.QuotaRefusals));
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task GET_uploads_lists_the_users_own_uploads_a_page_at_a_time()
    {
        var sub = Guid.NewGuid().ToString();
        var first = await CreateAsync(sub, "first.csv");
        var second = await CreateAsync(sub, "second.csv");
        await CreateAsync(Guid.NewGuid().ToString());

        var page = await Client(sub).GetFromJsonAsync<JsonElement>("/uploads?limit=1");
        var cursor = Uri.EscapeDataString(page.GetProperty("nextCursor").GetString()!);
        var next = await Client(sub).GetFromJsonAsync<JsonElement>($"/uploads?limit=1&cursor={cursor}");

        Assert.Equal(second, Assert.Single(page.GetProperty("items").EnumerateArray()).GetProperty("uploadId").GetString());
        Assert.Equal(first, Assert.Single(next.GetProperty("items").EnumerateArray()).GetProperty("uploadId").GetString());
        Assert.False(next.TryGetProperty("nextCursor", out _));
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=many", "limit")]
    [InlineData("cursor=not-ours", "cursor")]
    public async Task GET_uploads_with_a_bad_page_request_is_a_400_naming_it(string query, string field)
    {
        using var response = await Client(Guid.NewGuid().ToString()).GetAsync($"/uploads?{query}");

        Assert.Contains(field, (await Problems.ErrorsAsync(response)).Keys);
    }

    [Fact]
    public async Task GET_an_upload_answers_the_owners_and_404s_anyone_elses()
    {
        var sub = Guid.NewGuid().ToString();
        var id = await CreateAsync(sub);

        var own = await Client(sub).GetFromJsonAsync<JsonElement>($"/uploads/{id}");
        using var others = await Client(Guid.NewGuid().ToString()).GetAsync($"/uploads/{id}");

        Assert.Equal(id, own.GetProperty("uploadId").GetString());
        var problem = await Problems.ReadAsync(others, HttpStatusCode.NotFound);
        Assert.Equal($"There is no upload '{id}'.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task GET_results_before_the_upload_completed_is_a_409_with_its_status()
    {
        var sub = Guid.NewGuid().ToString();
        var id = await CreateAsync(sub);

        using var response = await Client(sub).GetAsync($"/uploads/{id}/results");
        using var others = await Client(Guid.NewGuid().ToString()).GetAsync($"/uploads/{id}/results");

        var problem = await Problems.ReadAsync(response, HttpStatusCode.Conflict);
        Assert.Equal("PENDING_UPLOAD", problem.GetProperty("uploadStatus").GetString());
        await Problems.ReadAsync(others, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DELETE_of_someone_elses_upload_is_a_404_and_leaves_it()
    {
        var sub = Guid.NewGuid().ToString();
        var id = await CreateAsync(sub);

        using var response = await Client(Guid.NewGuid().ToString()).DeleteAsync($"/uploads/{id}");

        await Problems.ReadAsync(response, HttpStatusCode.NotFound);
        using var own = await Client(sub).GetAsync($"/uploads/{id}");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    [Fact]
    public async Task POST_uploads_with_a_body_that_is_not_json_is_a_415_problem()
    {
        using var response = await Client(Guid.NewGuid().ToString())
            .PostAsync("/uploads", new StringContent("fileName=a.csv", Encoding.UTF8, "application/x-www-form-urlencoded"));

        await Problems.ReadAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [InlineData("POST", "/uploads")]
    [InlineData("GET", "/uploads")]
    [InlineData("GET", "/uploads/0190a6a0b6f87d3e9d2c4b5a6e7f8091")]
    [InlineData("GET", "/uploads/0190a6a0b6f87d3e9d2c4b5a6e7f8091/results")]
    [InlineData("DELETE", "/uploads/0190a6a0b6f87d3e9d2c4b5a6e7f8091")]
    public async Task Without_a_user_every_route_is_a_401_problem(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? NewUpload() : null };
        using var response = await fixture.Api.CreateClient().SendAsync(request);

        await Problems.ReadAsync(response, HttpStatusCode.Unauthorized);
    }
}
