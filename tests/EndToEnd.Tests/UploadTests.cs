using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Amazon.S3.Model;
using Serverless.Local;
using Serverless.Uploads;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// An upload's whole life through the local cloud: POST /uploads, the file PUT to S3 (by a browser's presigned request,
/// or by the AWS CLI), the S3 notification running ProcessUpload as its own process, GET /uploads/{id} until it ends, and
/// the result file. Faults, bad files and the hand-on between invocations are in <see cref="ProcessUploadTests"/>.
/// </summary>
[Collection(LocalCloudCollection.Name)]
public sealed class UploadTests(LocalCloudFixture cloud)
{
    private async Task<string[]> ResultLinesAsync(TestUser user, string id)
    {
        using var response = await cloud.SendAsync(HttpMethod.Get, $"/uploads/{id}/results", user.AccessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var url = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("url").GetString()!;
        return (await cloud.Http.GetStringAsync(url)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static void AssertSampleCounts(JsonElement upload)
    {
        Assert.Equal("COMPLETED", upload.GetProperty("status").GetString());
        Assert.Equal(SentimentSample.Rows.Length + 1, upload.GetProperty("rowsTotal").GetInt64());
        Assert.Equal(1, upload.GetProperty("rowsFailed").GetInt64());
        var counts = upload.GetProperty("labelCounts");
        Assert.Equal(10, counts.GetProperty("POSITIVE").GetInt64());
        Assert.Equal(7, counts.GetProperty("NEGATIVE").GetInt64());
        Assert.Equal(3, counts.GetProperty("NEUTRAL").GetInt64());
    }

    [Fact]
    public async Task A_CSV_PUT_by_a_browser_through_the_presigned_request_is_scored_and_its_results_downloaded()
    {
        var user = await cloud.NewUserAsync();
        var file = Encoding.UTF8.GetBytes(SentimentSample.Csv);
        var (id, uploadRequest) = await cloud.CreateUploadAsync(user, "reviews.csv", "text/csv", file.Length);

        using var put = PresignedPut.Of(uploadRequest, file);
        using var stored = await cloud.Http.SendAsync(put);
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);

        var upload = await cloud.UploadEndedAsync(user, id);
        AssertSampleCounts(upload);
        SentimentSample.AssertResult(await ResultLinesAsync(user, id));
    }

    [Fact]
    public async Task The_presigned_PUT_replayed_after_the_file_was_scored_is_refused_412_and_the_file_and_result_stay()
    {
        var user = await cloud.NewUserAsync();
        var file = Encoding.UTF8.GetBytes(SentimentSample.Csv);
        var (id, uploadRequest) = await cloud.CreateUploadAsync(user, "reviews.csv", "text/csv", file.Length);
        using (var put = PresignedPut.Of(uploadRequest, file))
        using (var stored = await cloud.Http.SendAsync(put))
            Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        var upload = await cloud.UploadEndedAsync(user, id);
        var before = await ResultLinesAsync(user, id);

        // The same URL and headers, a file of the same size, within the URL's 15 minutes.
        var other = Encoding.UTF8.GetBytes(SentimentSample.Csv.Replace("love", "hate", StringComparison.Ordinal));
        Assert.Equal(file.Length, other.Length);
        using var replay = PresignedPut.Of(uploadRequest, other);
        using var refused = await cloud.Http.SendAsync(replay);

        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.Contains("<Code>PreconditionFailed</Code>", await refused.Content.ReadAsStringAsync());
        using (var s3 = cloud.CreateS3())
        using (var got = await s3.GetObjectAsync(cloud.Output("BucketName"), $"uploads/{user.Sub}/{id}/reviews.csv"))
        using (var content = new MemoryStream())
        {
            await got.ResponseStream.CopyToAsync(content);
            Assert.Equal(file, content.ToArray());
        }
        var after = await cloud.UploadEndedAsync(user, id);
        AssertSampleCounts(after);
        Assert.Equal(upload.GetProperty("updatedAt").GetString(), after.GetProperty("updatedAt").GetString());
        Assert.Equal(before, await ResultLinesAsync(user, id));
    }

    [Fact]
    public async Task A_PUT_of_another_size_than_declared_or_without_If_None_Match_is_refused_as_S3_refuses_it()
    {
        // S3 checks the signed Content-Length and If-None-Match like every signed header: 403 SignatureDoesNotMatch.
        var user = await cloud.NewUserAsync();
        var (id, uploadRequest) = await cloud.CreateUploadAsync(user, "small.txt", "text/plain", size: 10);
        var big = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("I love it\n", 400)) + "Fine.");
        Assert.Equal(4_005, big.Length);

        using var oversized = PresignedPut.Of(uploadRequest, big);
        using var oversizedAnswer = await cloud.Http.SendAsync(oversized);
        using var unconditional = PresignedPut.Of(uploadRequest, "I love it\n"u8.ToArray());
        unconditional.Headers.Remove("If-None-Match");
        using var unconditionalAnswer = await cloud.Http.SendAsync(unconditional);

        Assert.Equal(HttpStatusCode.Forbidden, oversizedAnswer.StatusCode);
        Assert.Contains("<Code>SignatureDoesNotMatch</Code>", await oversizedAnswer.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, unconditionalAnswer.StatusCode);
        using var s3 = cloud.CreateS3();
        var listed = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = cloud.Output("BucketName"),
            Prefix = $"uploads/{user.Sub}/{id}/" });
        Assert.Empty(listed.S3Objects ?? []);
    }

    [Fact]
    public async Task A_CSV_put_by_the_AWS_CLI_to_the_upload_key_is_scored_and_a_repeated_delivery_counts_nothing_twice()
    {
        var user = await cloud.NewUserAsync();
        var folder = Directory.CreateTempSubdirectory("upload-e2e-");
        try
        {
            var path = Path.Combine(folder.FullName, "reviews.csv");
            await File.WriteAllTextAsync(path, SentimentSample.Csv);
            var (id, _) = await cloud.CreateUploadAsync(user, "reviews.csv", "text/csv", new FileInfo(path).Length);
            var key = $"uploads/{user.Sub}/{id}/reviews.csv";

            var (exitCode, _, error) = await AwsCli.RunAsync(
            [
                "s3api", "put-object", "--endpoint-url", cloud.Output("S3Endpoint"), "--bucket", cloud.Output("BucketName"),
                "--key", key, "--body", path, "--content-type", "text/csv",
            ]);
            Assert.True(exitCode == 0, $"aws s3api put-object failed: {error}");
            var upload = await cloud.UploadEndedAsync(user, id);
            AssertSampleCounts(upload);

            // S3 delivers at least once: the same record again, through the Invoke API, finds the upload done.
            var functionName = $"{Serverless.Local.LocalCloud.StackName}-ProcessUpload";
            using var again = await cloud.Http.SendAsync(await new HttpRequestMessage(HttpMethod.Post,
                $"{cloud.Output("LambdaEndpoint")}/2015-03-31/functions/{functionName}/invocations")
            {
                Content = new ByteArrayContent(ProcessUploadFixture.S3EventOf(key, new FileInfo(path).Length, cloud.Output("BucketName"))),
            }.SignedAsync("lambda"));
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.False(again.Headers.Contains("X-Amz-Function-Error"));

            var after = await cloud.UploadEndedAsync(user, id);
            AssertSampleCounts(after);
            Assert.Equal(upload.GetProperty("updatedAt").GetString(), after.GetProperty("updatedAt").GetString());
            Assert.Equal(SentimentSample.Rows.Length + 1, (await ResultLinesAsync(user, id)).Length);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_file_that_is_not_UTF8_ends_FAILED_with_the_reason_and_another_user_sees_404()
    {
        var user = await cloud.NewUserAsync();
        var other = await cloud.NewUserAsync();
        var file = new byte[] { 0x74, 0x65, 0x78, 0x74, 0x0A, 0xFF, 0xFE, 0x0A };
        var (id, uploadRequest) = await cloud.CreateUploadAsync(user, "latin1.txt", "text/plain", file.Length);
        using var put = PresignedPut.Of(uploadRequest, file);
        (await cloud.Http.SendAsync(put)).EnsureSuccessStatusCode();

        var upload = await cloud.UploadEndedAsync(user, id);
        using var foreign = await cloud.SendAsync(HttpMethod.Get, $"/uploads/{id}", other.AccessToken);

        Assert.Equal("FAILED", upload.GetProperty("status").GetString());
        Assert.StartsWith("The file is not UTF-8 text: the bytes at offset 5 (0xFF)", upload.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
    }

    [Fact]
    public async Task A_file_too_long_for_one_invocation_is_handed_on_through_the_Invoke_API_and_completes()
    {
        // ProcessUpload once more under its own name with a 12 s timeout: it invokes itself by that name's live alias, as
        // the template names it. The model answers each request after 1.6 s, so no machine scores more than
        // 4 × 256 texts / 1.6 s = 640 rows/s: one invocation
        // cannot finish 8,000 rows (about 9 s of scoring before it hands on), whatever the machine's speed, and its 3 s
        // margin leaves a loaded machine time to hand on before the timeout. The file stays under the template's monthly
        // quota (MonthlyTextQuota, 10,000), where ProcessUpload would stop.
        const int Rows = 8_000;
        var template = cloud.Cloud.Lambda.Functions.Single(function =>
            function.Name == $"{Serverless.Local.LocalCloud.StackName}-ProcessUpload");
        var name = template.Name + "-Short";
        if (cloud.Cloud.Lambda.Functions.All(function => function.Name != name))
            cloud.Cloud.Lambda.Register(template with
            {
                Name = name,
                Timeout = TimeSpan.FromSeconds(12),
                Environment = new Dictionary<string, string>(template.Environment)
                {
                    ["AWS_LAMBDA_FUNCTION_NAME"] = name,
                    ["PROCESS_UPLOAD_FUNCTION"] = $"{name}:live",
                },
            });
        var sub = Guid.NewGuid().ToString();
        var id = Guid.CreateVersion7().ToString("N");
        var key = $"uploads/{sub}/{id}/long.csv";
        var csv = new StringBuilder("text\n");
        for (var i = 0; i < Rows; i++) csv.Append('"').Append(SentimentSample.Rows[i % SentimentSample.Rows.Length].Text).Append(" #")
            .Append(i).Append("\"\n");
        var file = Encoding.UTF8.GetBytes(csv.ToString());
        using var s3 = cloud.CreateS3();
        using var db = cloud.CreateDynamoDb();

        // The file first: the template's ProcessUpload finds no upload for it and leaves it; then the upload, run by the short one.
        var put = await s3.PutObjectAsync(new PutObjectRequest { BucketName = cloud.Output("BucketName"), Key = key,
            InputStream = new MemoryStream(file), UseChunkEncoding = false });
        await cloud.LogLineAsync(line => line.Contains($"Nothing to do for {key}: there is no such upload"),
            "of the template's ProcessUpload seeing the file");
        var itemKey = UploadItem.Key(sub, id);
        await db.PutItemAsync(new PutItemRequest
        {
            TableName = cloud.Output("TableName"),
            Item = new(itemKey)
            {
                ["format"] = new() { S = "csv" }, ["objectKey"] = new() { S = key }, ["status"] = new() { S = "PENDING_UPLOAD" },
                ["declaredSize"] = new() { N = file.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            },
        });
        using var invoke = new HttpRequestMessage(HttpMethod.Post,
            $"{cloud.Output("LambdaEndpoint")}/2015-03-31/functions/{name}/invocations")
        {
            Content = new ByteArrayContent(ProcessUploadFixture.S3EventOf(key, file.Length, cloud.Output("BucketName"),
                eTag: put.ETag.Trim('"'))),
        };
        invoke.Headers.Add("X-Amz-Invocation-Type", "Event");
        Dictionary<string, AttributeValue> item;
        await SlowModelAsync(delayMs: 1600);
        try
        {
            Assert.Equal(HttpStatusCode.Accepted, (await cloud.Http.SendAsync(await invoke.SignedAsync("lambda"))).StatusCode);
            for (var waited = 0; (item = (await db.GetItemAsync(cloud.Output("TableName"), itemKey,
                consistentRead: true)).Item)["status"].S is "PENDING_UPLOAD" or "PROCESSING"; waited++)
            {
                Assert.True(waited < 1800, $"Still {item["status"].S}; log: {string.Join('\n', cloud.Log.TakeLast(30))}");
                await Task.Delay(100);
            }
        }
        finally
        {
            await SlowModelAsync(delayMs: 0);
        }
        Assert.Equal("COMPLETED", item["status"].S);
        Assert.Equal(Rows.ToString(System.Globalization.CultureInfo.InvariantCulture), item["rowsTotal"].N);
        await cloud.LogLineAsync(line => line.Contains($"Continuing upload {id}"), $"of a continuation of {id}");
        using var result = await s3.GetObjectAsync(cloud.Output("BucketName"), $"results/{sub}/{id}.jsonl");
        using var reader = new StreamReader(result.ResponseStream);
        var row = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            using var parsed = JsonDocument.Parse(line);
            Assert.Equal(++row, parsed.RootElement.GetProperty("row").GetInt32());
            Assert.EndsWith($" #{row - 1}", parsed.RootElement.GetProperty("text").GetString());
        }
        Assert.Equal(Rows, row);
    }

    /// <summary>Makes every model request wait <paramref name="delayMs"/> (0: answers at once again).</summary>
    private async Task SlowModelAsync(int delayMs)
    {
        var fault = delayMs > 0 ? $$"""{"mode":"slow","count":-1,"delayMs":{{delayMs}}}""" : """{"mode":"none"}""";
        await cloud.FaultModelAsync(fault);
    }
}
