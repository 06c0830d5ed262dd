using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Amazon.S3;
using Amazon.S3.Model;
using Serverless.Uploads;

namespace Serverless.EndToEnd.Tests;

/// <summary>The Uploads resource through the gateway: create (with its presigned PUT), list, get, results, delete.</summary>
[Collection(LocalCloudCollection.Name)]
public sealed class UploadsApiTests(LocalCloudFixture cloud)
{
    [Fact]
    public async Task POST_uploads_answers_201_with_the_upload_and_its_presigned_PUT_and_GET_shows_it_pending()
    {
        var user = await cloud.NewUserAsync();

        using var created = await cloud.SendAsync(HttpMethod.Post, "/uploads", user.AccessToken,
            """{"fileName": "my reviews.csv", "contentType": "text/csv; charset=utf-8", "size": 1234}""");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var upload = body.GetProperty("upload");
        var id = upload.GetProperty("uploadId").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Equal($"/uploads/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal("PENDING_UPLOAD", upload.GetProperty("status").GetString());
        Assert.Equal(1234, upload.GetProperty("size").GetInt64());
        var uploadRequest = body.GetProperty("uploadRequest");
        Assert.Equal("PUT", uploadRequest.GetProperty("method").GetString());
        Assert.Equal("text/csv; charset=utf-8", uploadRequest.GetProperty("headers").GetProperty("Content-Type").GetString());
        Assert.Contains($"/uploads/{user.Sub}/{id}/my%20reviews.csv?", uploadRequest.GetProperty("url").GetString());

        using var got = await cloud.SendAsync(HttpMethod.Get, $"/uploads/{id}", user.AccessToken);
        Assert.Equal(HttpStatusCode.OK, got.StatusCode);
        var shown = await got.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(upload.ToString(), shown.ToString());
        Assert.Equal("my reviews.csv", shown.GetProperty("fileName").GetString());
        Assert.Equal(0, shown.GetProperty("rowsProcessed").GetInt64());

        var item = await ItemAsync(user, id);
        Assert.Equal("csv", item["format"].S);
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(long.Parse(item["expiresAt"].N,
            System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(expiresAt - DateTimeOffset.Parse(item["createdAt"].S, System.Globalization.CultureInfo.InvariantCulture),
            TimeSpan.FromHours(24) - TimeSpan.FromSeconds(1), TimeSpan.FromHours(24));
    }

    [Fact]
    public async Task POST_uploads_with_bad_fields_is_a_400_problem_naming_each()
    {
        var user = await cloud.NewUserAsync();

        using var response = await cloud.SendAsync(HttpMethod.Post, "/uploads", user.AccessToken,
            """{"fileName": "../etc/passwd", "contentType": "image/png", "size": 0}""");
        using var wrongType = await cloud.SendAsync(HttpMethod.Post, "/uploads", user.AccessToken,
            """{"fileName": "a.csv", "contentType": "text/csv", "size": "ten"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["contentType", "fileName", "size"], errors.EnumerateObject().Select(error => error.Name).Order());
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        var problem = await wrongType.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("""{"size":["Must be a whole number."]}""", problem.GetProperty("errors").GetRawText());
        Assert.Equal("The body's field size must be a whole number.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task GET_uploads_pages_newest_first_with_a_cursor()
    {
        var user = await cloud.NewUserAsync();
        var ids = new List<string>();
        foreach (var name in new[] { "first.txt", "second.txt", "third.txt" })
            ids.Add((await cloud.CreateUploadAsync(user, name)).Id);

        using var first = await cloud.SendAsync(HttpMethod.Get, "/uploads?limit=2", user.AccessToken);
        var page = await first.Content.ReadFromJsonAsync<JsonElement>();
        var cursor = page.GetProperty("nextCursor").GetString()!;
        using var second = await cloud.SendAsync(HttpMethod.Get, $"/uploads?limit=2&cursor={Uri.EscapeDataString(cursor)}",
            user.AccessToken);
        var last = await second.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal([ids[2], ids[1]], Ids(page));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal([ids[0]], Ids(last));
        Assert.False(last.TryGetProperty("nextCursor", out _));
    }

    [Fact]
    public async Task GET_uploads_with_a_bad_limit_or_cursor_is_a_400_problem_naming_it()
    {
        var user = await cloud.NewUserAsync();

        using var limit = await cloud.SendAsync(HttpMethod.Get, "/uploads?limit=0", user.AccessToken);
        using var cursor = await cloud.SendAsync(HttpMethod.Get, "/uploads?cursor=bm90LWEta2V5", user.AccessToken);
        using var word = await cloud.SendAsync(HttpMethod.Get, "/uploads?limit=ten", user.AccessToken);

        Assert.True((await limit.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("limit", out _));
        Assert.True((await cursor.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("cursor", out _));
        Assert.Equal(HttpStatusCode.BadRequest, word.StatusCode);
        var problem = await word.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("""{"limit":["Must be a whole number."]}""", problem.GetProperty("errors").GetRawText());
    }

    [Fact]
    public async Task Another_users_upload_and_a_malformed_id_are_404_problems_everywhere()
    {
        var owner = await cloud.NewUserAsync();
        var stranger = await cloud.NewUserAsync();
        var (id, _) = await cloud.CreateUploadAsync(owner, "mine.csv");

        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, $"/uploads/{id}"), (HttpMethod.Get, $"/uploads/{id}/results"), (HttpMethod.Delete, $"/uploads/{id}"),
            (HttpMethod.Get, "/uploads/not-an-id"), (HttpMethod.Get, $"/uploads/{id.ToUpperInvariant()}"),
        })
        {
            using var response = await cloud.SendAsync(method, path, stranger.AccessToken);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        using var stillThere = await cloud.SendAsync(HttpMethod.Get, $"/uploads/{id}", owner.AccessToken);
        Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
    }

    [Fact]
    public async Task GET_results_before_the_upload_is_completed_is_a_409_problem_saying_its_status()
    {
        var user = await cloud.NewUserAsync();
        var (id, _) = await cloud.CreateUploadAsync(user, "later.csv");

        using var response = await cloud.SendAsync(HttpMethod.Get, $"/uploads/{id}/results", user.AccessToken);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("PENDING_UPLOAD", problem.GetProperty("detail").GetString());
        Assert.Equal("PENDING_UPLOAD", problem.GetProperty("uploadStatus").GetString());
    }

    [Fact]
    public async Task The_presigned_PUT_takes_the_file_as_a_browser_sends_it_and_DELETE_removes_file_and_upload()
    {
        var user = await cloud.NewUserAsync();
        var file = "text\nI love it\nI hate it\n"u8.ToArray();
        using var created = await cloud.SendAsync(HttpMethod.Post, "/uploads", user.AccessToken,
            $$"""{"fileName": "two rows.txt", "contentType": "text/plain; charset=utf-8", "size": {{file.Length}}}""");
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = body.GetProperty("upload").GetProperty("uploadId").GetString()!;
        var uploadRequest = body.GetProperty("uploadRequest");
        var url = uploadRequest.GetProperty("url").GetString()!;
        var bucket = $"{cloud.Output("S3Endpoint").TrimEnd('/')}/{cloud.Output("BucketName")}";
        Assert.StartsWith($"{bucket}/uploads/{user.Sub}/{id}/two%20rows.txt?", url);

        // What fetch(url, {method: "PUT", headers, body: file}) sends: the one header it was given, nothing signed besides.
        using var put = PresignedPut.Of(uploadRequest, file);
        using var stored = await cloud.Http.SendAsync(put);

        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        var key = $"uploads/{user.Sub}/{id}/two rows.txt";
        using (var s3 = cloud.CreateS3())
        using (var got = await s3.GetObjectAsync(cloud.Output("BucketName"), key))
        {
            Assert.Equal("text/plain; charset=utf-8", got.Headers.ContentType);
            using var content = new MemoryStream();
            await got.ResponseStream.CopyToAsync(content);
            Assert.Equal(file, content.ToArray());
        }

        var resultKey = $"results/{user.Sub}/{id}.jsonl";
        using (var s3 = cloud.CreateS3())
        {
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = cloud.Output("BucketName"), Key = resultKey,
                ContentBody = "{}\n" });
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = cloud.Output("BucketName"), Key = resultKey + ".part",
                ContentBody = "{}\n" });
        }

        using var deleted = await cloud.SendAsync(HttpMethod.Delete, $"/uploads/{id}", user.AccessToken);
        using var afterwards = await cloud.SendAsync(HttpMethod.Get, $"/uploads/{id}", user.AccessToken);
        using var again = await cloud.SendAsync(HttpMethod.Delete, $"/uploads/{id}", user.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, afterwards.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        using var gone = cloud.CreateS3();
        foreach (var deletedKey in new[] { key, resultKey, resultKey + ".part" })
        {
            var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => gone.GetObjectMetadataAsync(cloud.Output("BucketName"),
                deletedKey));
            Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        }
    }

    [Fact]
    public async Task GET_results_of_a_completed_upload_is_a_presigned_download_saved_as_an_attachment()
    {
        var user = await cloud.NewUserAsync();
        var (id, _) = await cloud.CreateUploadAsync(user, "reviews ü.txt");
        var lines = "{\"row\":1,\"text\":\"I love it\",\"label\":\"POSITIVE\",\"score\":0.9}\n";
        using (var s3 = cloud.CreateS3())
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = cloud.Output("BucketName"),
                Key = $"results/{user.Sub}/{id}.jsonl", ContentBody = lines });
        using (var db = cloud.CreateDynamoDb())
            await db.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = cloud.Output("TableName"),
                Key = UploadItem.Key(user.Sub, id),
                UpdateExpression = "SET #status = :completed",
                ExpressionAttributeNames = new() { ["#status"] = "status" },
                ExpressionAttributeValues = new() { [":completed"] = new() { S = "COMPLETED" } },
            });

        using var response = await cloud.SendAsync(HttpMethod.Get, $"/uploads/{id}/results", user.AccessToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(results.GetProperty("expiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        using var download = await cloud.Http.GetAsync(results.GetProperty("url").GetString());
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(lines, await download.Content.ReadAsStringAsync());
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("reviews ü.results.jsonl", download.Content.Headers.ContentDisposition?.FileNameStar);
    }

    [Fact]
    public async Task DELETE_of_an_upload_whose_file_never_came_removes_the_upload()
    {
        var user = await cloud.NewUserAsync();
        var (id, _) = await cloud.CreateUploadAsync(user, "never.txt");

        using var deleted = await cloud.SendAsync(HttpMethod.Delete, $"/uploads/{id}", user.AccessToken);
        using var listed = await cloud.SendAsync(HttpMethod.Get, "/uploads", user.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Empty((await listed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray());
    }

    private static List<string> Ids(JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("uploadId").GetString()!).ToList();

    private async Task<Dictionary<string, AttributeValue>> ItemAsync(TestUser user, string id)
    {
        using var db = cloud.CreateDynamoDb();
        var response = await db.GetItemAsync(cloud.Output("TableName"), UploadItem.Key(user.Sub, id));
        return response.Item;
    }
}
