using System.Text.Json.Nodes;
using Serverless.Local.Emulators;
using Serverless.Local.S3;

namespace Serverless.Local.Tests.S3;

/// <summary>The S3 event message: AWS's record structure, key encoding and filter matching.</summary>
public sealed class S3EventMessageTests
{
    private static readonly DateTimeOffset Time = new(2026, 11, 29, 8, 30, 5, 123, TimeSpan.Zero);

    [Theory]
    [InlineData("a b/ü+x.csv", "a+b/%C3%BC%2Bx.csv")]
    [InlineData("uploads/sub/0193/file.csv", "uploads/sub/0193/file.csv")]
    [InlineData("year=2026/(1)~'!:@,;$&?#%.txt", "year%3D2026/%281%29%7E%27%21%3A%40%2C%3B%24%26%3F%23%25.txt")]
    [InlineData("-_.*", "-_.*")]
    [InlineData("日本", "%E6%97%A5%E6%9C%AC")]
    public void Keys_are_form_encoded_as_S3_writes_them_in_events(string key, string encoded) =>
        Assert.Equal(encoded, S3EventMessage.EncodeKey(key));

    [Fact]
    public void A_put_is_one_record_in_S3s_event_structure()
    {
        var change = new S3ObjectEvent("files", "uploads/u/1/my file.csv", "ObjectCreated:Put", 42, "5d41402abc4b2a76b9719d911017c592",
            Time, "203.0.113.7");

        var message = S3EventMessage.Build(change, "Y29uZmln", "0000063F1A2B3C4D5E");

        var record = Assert.Single(message["Records"]!.AsArray())!.AsObject();
        Assert.Equal(["eventVersion", "eventSource", "awsRegion", "eventTime", "eventName", "userIdentity", "requestParameters",
            "responseElements", "s3"],
            record.Select(property => property.Key));
        Assert.Equal("2.1", (string?)record["eventVersion"]);
        Assert.Equal("aws:s3", (string?)record["eventSource"]);
        Assert.Equal("us-east-1", (string?)record["awsRegion"]);
        Assert.Equal("2026-11-29T08:30:05.123Z", (string?)record["eventTime"]);
        Assert.Equal("ObjectCreated:Put", (string?)record["eventName"]);
        Assert.Equal("AWS:local", (string?)record["userIdentity"]!["principalId"]);
        Assert.Equal("203.0.113.7", (string?)record["requestParameters"]!["sourceIPAddress"]);
        Assert.Matches("^[0-9A-F]{16}$", (string?)record["responseElements"]!["x-amz-request-id"]);
        Assert.Matches("^[A-Za-z0-9+/]{76}$", (string?)record["responseElements"]!["x-amz-id-2"]);
        var s3 = record["s3"]!;
        Assert.Equal("1.0", (string?)s3["s3SchemaVersion"]);
        Assert.Equal("Y29uZmln", (string?)s3["configurationId"]);
        Assert.Equal("""{"name":"files","ownerIdentity":{"principalId":"A3LOCALBUCKETOWNER"},"arn":"arn:aws:s3:::files"}""",
            s3["bucket"]!.ToJsonString(S3EventMessage.Json));
        Assert.Equal(
            """{"key":"uploads/u/1/my+file.csv","size":42,"eTag":"5d41402abc4b2a76b9719d911017c592","sequencer":"0000063F1A2B3C4D5E"}""",
            s3["object"]!.ToJsonString(S3EventMessage.Json));
    }

    [Fact]
    public void A_delete_has_no_size_or_eTag()
    {
        var change = new S3ObjectEvent("files", "uploads/a.csv", "ObjectRemoved:Delete", null, null, Time, "127.0.0.1");

        var message = S3EventMessage.Build(change, "id", "0000063F1A2B3C4D5E");

        Assert.Equal("""{"key":"uploads/a.csv","sequencer":"0000063F1A2B3C4D5E"}""",
            message["Records"]![0]!["s3"]!["object"]!.ToJsonString(S3EventMessage.Json));
    }

    [Fact]
    public void The_message_reads_as_the_kernels_S3Event_and_its_key_decodes_back()
    {
        var change = new S3ObjectEvent("files", "a b/ü+x.csv", "ObjectCreated:CompleteMultipartUpload", 3221225472,
            "d41d8cd98f00b204e9800998ecf8427e-385", Time, "127.0.0.1");

        var json = S3EventMessage.Build(change, "id", "0000063F1A2B3C4D5E").ToJsonString(S3EventMessage.Json);
        var parsed = System.Text.Json.JsonSerializer.Deserialize<Serverless.Kernel.Events.S3Event>(json)!;

        var record = Assert.Single(parsed.Records);
        Assert.Equal("a b/ü+x.csv", record.S3.Object.KeyDecoded);
        Assert.Equal(3221225472, record.S3.Object.Size);
        Assert.Equal(Time.UtcDateTime, record.EventTime.ToUniversalTime());
    }

    [Theory]
    [InlineData("ObjectCreated:Put", "uploads/a.csv", true)]
    [InlineData("ObjectCreated:CompleteMultipartUpload", "uploads/sub/a.csv", true)]
    [InlineData("ObjectCreated:Copy", "uploads/a.csv", true)]
    [InlineData("ObjectRemoved:Delete", "uploads/a.csv", false)]
    [InlineData("ObjectCreated:Put", "results/a.csv", false)]
    [InlineData("ObjectCreated:Put", "uploads/a.json", false)]
    [InlineData("ObjectCreated:Put", "x/uploads/a.csv", false)]
    public void A_wildcard_type_with_a_prefix_and_a_suffix_matches_as_S3_filters(string eventName, string key, bool matches)
    {
        var subscription = new S3Subscription("Fn", "files", ["s3:ObjectCreated:*"], "uploads/", ".csv", "id");

        Assert.Equal(matches, subscription.Matches(new S3ObjectEvent("files", key, eventName, 1, "e", Time, "127.0.0.1")));
    }

    [Fact]
    public void Exact_types_other_buckets_and_encoded_filters()
    {
        var deletes = new S3Subscription("Fn", "files", ["s3:ObjectRemoved:Delete", "s3:ObjectCreated:Copy"], "", "", "id");
        var spaced = new S3Subscription("Fn", "files", ["s3:ObjectCreated:*"], "my+folder/", "", "id");
        S3ObjectEvent Change(string eventName, string key = "a", string bucket = "files") =>
            new(bucket, key, eventName, null, null, Time, "127.0.0.1");

        Assert.True(deletes.Matches(Change("ObjectRemoved:Delete")));
        Assert.True(deletes.Matches(Change("ObjectCreated:Copy")));
        Assert.False(deletes.Matches(Change("ObjectCreated:Put")));
        Assert.False(deletes.Matches(Change("ObjectRemoved:Delete", bucket: "other")));
        Assert.True(spaced.Matches(Change("ObjectCreated:Put", "my folder/a.csv")));
        Assert.False(spaced.Matches(Change("ObjectCreated:Put", "my+folder/a.csv")));
    }
}
