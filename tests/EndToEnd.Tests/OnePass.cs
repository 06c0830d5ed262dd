using Amazon.DynamoDBv2.Model;
using Serverless.Uploads;
using static Serverless.EndToEnd.Tests.ProcessUploadFixture;

namespace Serverless.EndToEnd.Tests;

/// <summary>A file processed in one invocation: what processing the same file any other way (handed on, retried) must end with.</summary>
internal sealed record OnePass(Dictionary<string, AttributeValue> Item, string[] Lines)
{
    /// <summary>Uploads <paramref name="file"/> and processes it with the fixture's settings, which must leave it time to finish.</summary>
    public static async Task<OnePass> RunAsync(ProcessUploadFixture cloud, string format, byte[] file)
    {
        var (sub, id, key) = await cloud.NewUploadAsync(format);
        await cloud.UploadAsync(key, file);
        var item = await cloud.ItemAsync(sub, id);
        Assert.Equal(UploadStatus.Completed, item[UploadAttribute.Status].S);
        return new OnePass(item, await cloud.ResultLinesAsync(sub, id));
    }

    /// <summary>The upload ended COMPLETED with the same counts and result lines, and left no carried part behind.</summary>
    public async Task AssertSameAsync(ProcessUploadFixture cloud, string userSub, string uploadId)
    {
        var item = await cloud.ItemAsync(userSub, uploadId);
        Assert.Equal(UploadStatus.Completed, item[UploadAttribute.Status].S);
        foreach (var count in new[] { UploadAttribute.RowsTotal, UploadAttribute.RowsProcessed, UploadAttribute.RowsFailed })
            Assert.Equal(Number(Item, count), Number(item, count));
        Assert.Equal(Counts(Item), Counts(item));
        Assert.Equal(Lines, await cloud.ResultLinesAsync(userSub, uploadId));
        Assert.Equal([UploadItem.ResultKey(userSub, uploadId)], await cloud.ResultObjectsAsync(userSub, uploadId));
    }

    private static Dictionary<string, string> Counts(Dictionary<string, AttributeValue> item) =>
        item[UploadAttribute.LabelCounts].M.ToDictionary(pair => pair.Key, pair => pair.Value.N);
}
