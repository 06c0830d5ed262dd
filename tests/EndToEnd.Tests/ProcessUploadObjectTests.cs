using Amazon.DynamoDBv2.Model;
using Amazon.S3.Model;
using Serverless.Uploads;
using static Serverless.EndToEnd.Tests.ProcessUploadFixture;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// ProcessUpload scores exactly the object its S3 event names, of the size the upload declared: another size, no declared
/// size, or an object replaced after the event (by anyone with credentials: the presigned PUT cannot) ends it FAILED.
/// </summary>
[Collection(ProcessUploadCollection.Name)]
public sealed class ProcessUploadObjectTests(ProcessUploadFixture cloud) : IAsyncLifetime
{
    private const string Replaced = "The file was replaced or deleted while it was being scored; upload it again.";

    public Task InitializeAsync() => cloud.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_file_of_another_size_than_declared_fails_before_a_row_is_scored()
    {
        var (sub, id, key) = await cloud.NewUploadAsync("text", declaredSize: 10);
        var file = string.Concat(Enumerable.Repeat("I love it\n", 400)) + "Fine.";

        await cloud.UploadAsync(key, file);

        var item = await cloud.ItemAsync(sub, id);
        Assert.Equal(4_005, file.Length);
        Assert.Equal("FAILED", item["status"].S);
        Assert.Equal("The file has 4,005 bytes, but the upload declared 10; create an upload for this file and upload it again.",
            item["error"].S);
        Assert.Equal(0, Number(item, "rowsProcessed"));
        Assert.Empty(await cloud.ResultObjectsAsync(sub, id));
    }

    [Fact]
    public async Task An_upload_that_declared_no_size_fails()
    {
        var (sub, id, key) = await cloud.NewUploadAsync("text");
        var s3Event = await cloud.PutAsync(key, "I love it\n"u8.ToArray());
        await cloud.Db.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = cloud.Table.Name, Key = UploadItem.Key(sub, id), UpdateExpression = $"REMOVE {UploadAttribute.DeclaredSize}",
        });

        await cloud.InvokeAsync(s3Event);

        var item = await cloud.ItemAsync(sub, id);
        Assert.Equal("FAILED", item["status"].S);
        Assert.StartsWith("The upload declared no file size", item["error"].S);
    }

    [Fact]
    public async Task A_file_replaced_after_its_event_with_one_of_the_same_size_fails_instead_of_scoring_the_new_one()
    {
        var (sub, id, key) = await cloud.NewUploadAsync("text");
        var s3Event = await cloud.PutAsync(key, "I love it\n"u8.ToArray());
        await cloud.S3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, ContentBody = "I hate it\n" });

        await cloud.InvokeAsync(s3Event);

        var item = await cloud.ItemAsync(sub, id);
        Assert.Equal("FAILED", item["status"].S);
        Assert.Equal(Replaced, item["error"].S);
        Assert.Equal(ETagOf(s3Event), item["objectETag"].S);
        Assert.Empty(await cloud.ResultObjectsAsync(sub, id));
    }

    [Fact]
    public async Task A_file_replaced_between_two_invocations_fails_the_continuation_instead_of_scoring_the_rest_of_the_new_one()
    {
        var file = SentimentSample.LongCsv(20_000);
        await cloud.UseShortInvocationsAsync();
        cloud.HoldContinuations = true;
        var (sub, id, key) = await cloud.NewUploadAsync("csv");
        await cloud.UploadAsync(key, file);
        Assert.True(cloud.Held.TryDequeue(out var continuation), "The first invocation did not hand on.");
        var handedOn = await cloud.ItemAsync(sub, id);
        Assert.Equal("PROCESSING", handedOn["status"].S);

        var replacement = (byte[])file.Clone();
        replacement[^2] = (byte)'!';
        await cloud.S3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, InputStream = new MemoryStream(replacement) });
        await cloud.InvokeAsync(continuation);

        var item = await cloud.ItemAsync(sub, id);
        Assert.Equal("FAILED", item["status"].S);
        Assert.Equal(Replaced, item["error"].S);
        Assert.Equal(Number(handedOn, "rowsProcessed"), Number(item, "rowsProcessed"));
    }
}
