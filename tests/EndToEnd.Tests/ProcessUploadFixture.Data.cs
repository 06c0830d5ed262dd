using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.Model;
using Amazon.S3.Model;
using Serverless.Metering;
using Serverless.ServiceDefaults;
using Serverless.Uploads;
using Serverless.Uploads.Results;
using Serverless.Uploads.Processing;
using Serverless.Uploads.Parsing;
using Serverless.Kernel.Aws;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// The data a ProcessUpload test works on: upload and usage items as POST /uploads and MeterUsage write them, files put in
/// the bucket with the S3 events of those PUTs, and the upload item and result file as processing left them.
/// </summary>
public sealed partial class ProcessUploadFixture
{
    /// <summary>A number attribute of an item (or of a map in it).</summary>
    public static long Number(Dictionary<string, AttributeValue> item, string name) => long.Parse(item[name].N,
        System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// A user's PENDING_UPLOAD item, as POST /uploads writes it; returns its object key. Without <paramref name="declaredSize"/>,
    /// the size of the file <see cref="PutAsync"/> puts is declared then.
    /// </summary>
    public async Task<(string UserSub, string UploadId, string Key)> NewUploadAsync(string format, string fileName = "file.csv",
        long? declaredSize = null,
        string? userSub = null)
    {
        userSub ??= Guid.NewGuid().ToString();
        var uploadId = Guid.CreateVersion7().ToString("N");
        var key = UploadItem.ObjectKey(userSub, uploadId, fileName);
        await Db.PutItemAsync(new PutItemRequest
        {
            TableName = Table.Name,
            Item = new Dictionary<string, AttributeValue>(UploadItem.Key(userSub, uploadId))
            {
                [UploadAttribute.Type] = new() { S = UploadItem.Type },
                [UploadAttribute.UploadId] = new() { S = uploadId },
                [UploadAttribute.FileName] = new() { S = fileName },
                [UploadAttribute.Format] = new() { S = format },
                [UploadAttribute.ObjectKey] = new() { S = key },
                [UploadAttribute.Status] = new() { S = UploadStatus.PendingUpload },
                [UploadAttribute.ExpiresAt] = new() { N = DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds().ToString() },
            },
        });
        if (declaredSize is { } size) await DeclareAsync(userSub, uploadId, size);
        return (userSub, uploadId, key);
    }

    /// <summary>
    /// Declares the upload's file size, as POST /uploads does, unless one was declared already or there is no such upload.
    /// </summary>
    private async Task DeclareAsync(string userSub, string uploadId, long size)
    {
        try
        {
            await Db.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = Table.Name,
                Key = UploadItem.Key(userSub, uploadId),
                UpdateExpression = $"SET {UploadAttribute.DeclaredSize} = if_not_exists({UploadAttribute.DeclaredSize}, :size)",
                ConditionExpression = "attribute_exists(PK)",
                ExpressionAttributeValues = new()
                {
                    [":size"] = new() { N = size.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                },
            });
        }
        catch (ConditionalCheckFailedException)
        {
            // A test may put a file no upload waits for: nothing to declare, and no item is made for it.
        }
    }

    /// <summary>The user's usage item for this month, as settling leaves it after <paramref name="rowsScored"/> rows were scored.</summary>
    public Task UseTextsAsync(string userSub, long rowsScored) =>
        Db.PutItemAsync(new PutItemRequest
        {
            TableName = Table.Name,
            Item = new Dictionary<string, AttributeValue>(UsageItem.Key(userSub, UsageItem.Month(DateTimeOffset.UtcNow)))
            {
                [UsageItem.RowsScored] = new() { N = rowsScored.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                [UsageItem.Charged] = new() { N = rowsScored.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            },
        });

    /// <summary>Puts the file and runs the handler with the S3 event of that PUT; returns the event.</summary>
    public async Task<byte[]> UploadAsync(string key, byte[] file)
    {
        var s3Event = await PutAsync(key, file);
        await InvokeAsync(s3Event);
        return s3Event;
    }

    /// <summary>
    /// Puts the file (declaring its size on the upload, unless the test declared one); returns the S3 event of that PUT,
    /// with the object's ETag, not yet delivered.
    /// </summary>
    public async Task<byte[]> PutAsync(string key, byte[] file)
    {
        if (UploadFiles.ParseKey(key) is var (userSub, uploadId)) await DeclareAsync(userSub, uploadId, file.Length);
        var put = await S3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, InputStream = new MemoryStream(file) });
        return S3EventOf(key, file.Length, eTag: put.ETag.Trim('"'));
    }

    /// <summary>The ETag an S3 event names.</summary>
    public static string ETagOf(byte[] s3Event) =>
        JsonNode.Parse(s3Event)!["Records"]![0]!["s3"]!["object"]!["eTag"]!.GetValue<string>();

    public Task<byte[]> UploadAsync(string key, string file) => UploadAsync(key, Encoding.UTF8.GetBytes(file));

    /// <summary>The S3 event of one PUT, as S3 sends it (the key form-encoded).</summary>
    public static byte[] S3EventOf(string key, long size, string bucket = Bucket, string eventName = "ObjectCreated:Put",
        string eTag = "0123") =>
        Encoding.UTF8.GetBytes(new JsonObject
        {
            ["Records"] = new JsonArray(new JsonObject
            {
                ["eventVersion"] = "2.1", ["eventSource"] = "aws:s3", ["awsRegion"] = "us-east-1",
                    ["eventTime"] = DateTime.UtcNow.ToString("O"),
                ["eventName"] = eventName, ["userIdentity"] = new JsonObject { ["principalId"] = "AWS:LOCAL" },
                ["requestParameters"] = new JsonObject { ["sourceIPAddress"] = "127.0.0.1" },
                ["responseElements"] = new JsonObject { ["x-amz-request-id"] = "REQ", ["x-amz-id-2"] = "ID2" },
                ["s3"] = new JsonObject
                {
                    ["s3SchemaVersion"] = "1.0", ["configurationId"] = "FileUploaded",
                    ["bucket"] = new JsonObject { ["name"] = bucket, ["ownerIdentity"] = new JsonObject { ["principalId"] = "LOCAL" },
                        ["arn"] = $"arn:aws:s3:::{bucket}" },
                    ["object"] = new JsonObject { ["key"] = WebUtility.UrlEncode(key), ["size"] = size, ["eTag"] = eTag,
                        ["sequencer"] = "0A1B" },
                },
            }),
        }.ToJsonString());

    /// <summary>
    /// The upload item once no continuation runs any more: each one that hands on takes its successor before it ends, so the
    /// upload has ended (or waits on a held continuation) when all have ended, however many a slow machine needed. A
    /// continuation that threw is rethrown here.
    /// </summary>
    public async Task<Dictionary<string, AttributeValue>> ItemAsync(string userSub, string uploadId)
    {
        Task[] ended;
        do
        {
            ended = continuations.ToArray();
            await Task.WhenAll(ended).WaitAsync(TimeSpan.FromMinutes(10));
        }
        while (continuations.Count > ended.Length);
        return (await Db.GetItemAsync(new GetItemRequest { TableName = Table.Name, Key = UploadItem.Key(userSub, uploadId),
            ConsistentRead = true })).Item;
    }

    /// <summary>The keys of the objects whose names start with the result's key: the result, and any carried part left behind.</summary>
    public async Task<List<string>> ResultObjectsAsync(string userSub, string uploadId)
    {
        var listed = await S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = UploadItem.ResultKey(userSub,
            uploadId) });
        return (listed.S3Objects ?? []).Select(entry => entry.Key).ToList();
    }

    /// <summary>The result file's lines.</summary>
    public async Task<string[]> ResultLinesAsync(string userSub, string uploadId)
    {
        using var response = await S3.GetObjectAsync(Bucket, UploadItem.ResultKey(userSub, uploadId));
        using var reader = new StreamReader(response.ResponseStream);
        return (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static readonly Classification HandOnLabel = new("POSITIVE", 0.9);

    /// <summary>
    /// The invocation holding the upload under <paramref name="claim"/> writes <paramref name="rows"/> result lines of 1,000
    /// characters (a multipart upload past 5 MiB), saves its checkpoint and hands on, as the processor does; returns the
    /// continuation event it sent and the checkpoint.
    /// </summary>
    public async Task<(byte[] Continuation, Checkpoint Checkpoint)> HandOnAsync(string sub, string id, string claim, int rows)
    {
        var writer = await ResultWriter.OpenAsync(S3, Bucket, UploadItem.ResultKey(sub, id),
            number => UploadItem.CarryKey(sub, id, number), null, CancellationToken.None);
        var tally = new Tally();
        var text = new string('x', 1000);
        for (var number = 1; number <= rows; number++)
        {
            var row = new Row(number, text, null, ReaderPosition.Start);
            await writer.WriteAsync(row, HandOnLabel, CancellationToken.None);
            tally.Add(row, HandOnLabel);
        }
        var carried = await writer.CarryAsync(1, CancellationToken.None);
        var checkpoint = new Checkpoint(new ReaderPosition(rows * 1001L, rows, 0), carried, tally);
        var handoff = Guid.NewGuid().ToString("N");
        await Store.CheckpointAsync(sub, id, claim, tally, checkpoint, handoff, CancellationToken.None);
        return (Encoding.UTF8.GetBytes(new JsonObject
        {
            ["continueUpload"] = new JsonObject { ["userSub"] = sub, ["uploadId"] = id, ["claim"] = handoff },
        }.ToJsonString()), checkpoint);
    }
}
