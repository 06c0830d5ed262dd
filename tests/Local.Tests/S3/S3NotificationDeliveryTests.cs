using Amazon.S3.Model;
using Serverless.Local.S3;
using Serverless.Local.Tests.Lambda;

namespace Serverless.Local.Tests.S3;

/// <summary>
/// An upload through the S3 front (AWSSDK.S3 with its default settings) reaches the subscribed function as one
/// AWS-shaped record, through the emulator's events, the notifications and an asynchronous invocation.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class S3NotificationDeliveryTests(S3Fixture s3) : IClassFixture<S3Fixture>, IAsyncLifetime
{
    private readonly string prefix = $"uploads/{Guid.NewGuid():N}/";
    private readonly List<string> delivered = [];
    private ShellFunctions functions = null!;
    private S3Notifications notifications = null!;

    public async Task InitializeAsync()
    {
        functions = await ShellFunctions.StartAsync();
        functions.Register("OnUpload", S3NotificationsTests.RecordsEvents);
        notifications = new S3Notifications([new S3Subscription("OnUpload", S3Fixture.Bucket, ["s3:ObjectCreated:*"], prefix, "",
            "Y29uZmln")],
            functions.Service, TimeProvider.System, line => { lock (delivered) delivered.Add(line); });
        s3.Emulator.ObjectChanged += notifications.Publish;
    }

    public async Task DisposeAsync()
    {
        s3.Emulator.ObjectChanged -= notifications.Publish;
        await functions.DisposeAsync();
    }

    [Fact]
    public async Task A_put_under_the_prefix_reaches_the_function_as_one_record_and_a_put_elsewhere_as_none()
    {
        using var client = s3.Client();
        var outside = $"other/{prefix}a.csv";
        var inside = $"{prefix}my file é.csv";

        await client.PutObjectAsync(new PutObjectRequest { BucketName = S3Fixture.Bucket, Key = outside, ContentBody = "text\nhello\n" });
        var put = await client.PutObjectAsync(new PutObjectRequest { BucketName = S3Fixture.Bucket, Key = inside,
            ContentBody = "text\nhello\n" });
        var message = Assert.Single(await S3NotificationsTests.EventsAsync(functions, "OnUpload", 1));

        // Changes are published in order, synchronously: when the upload's delivery is logged, the other put's would be too.
        lock (delivered) Assert.Single(delivered);
        var record = Assert.Single(message["Records"]!.AsArray())!;
        Assert.Equal("2.1", (string?)record["eventVersion"]);
        Assert.Equal("ObjectCreated:Put", (string?)record["eventName"]);
        Assert.Equal(S3Fixture.Bucket, (string?)record["s3"]!["bucket"]!["name"]);
        Assert.Equal(S3EventMessage.EncodeKey(inside), (string?)record["s3"]!["object"]!["key"]);
        Assert.EndsWith("/my+file+%C3%A9.csv", (string?)record["s3"]!["object"]!["key"]);
        Assert.Equal(11, (long?)record["s3"]!["object"]!["size"]);
        Assert.Equal(put.ETag.Trim('"'), (string?)record["s3"]!["object"]!["eTag"]);
        Assert.Equal("127.0.0.1", (string?)record["requestParameters"]!["sourceIPAddress"]);
    }
}
