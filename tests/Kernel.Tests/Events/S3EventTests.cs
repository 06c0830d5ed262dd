using System.Text.Json;
using Serverless.Kernel.Events;

namespace Serverless.Kernel.Tests.Events;

public class S3EventTests
{
    private static S3Event Read(string payload) =>
        JsonSerializer.Deserialize(Payload.Read(payload), KernelJsonContext.Default.S3Event)!;

    [Fact]
    public void A_put_record_is_read_field_by_field()
    {
        var record = Assert.Single(Read("s3-put.json").Records);

        Assert.Equal("2.1", record.EventVersion);
        Assert.Equal("aws:s3", record.EventSource);
        Assert.Equal("us-east-2", record.AwsRegion);
        Assert.Equal("ObjectCreated:Put", record.EventName);
        Assert.Equal(new DateTime(2024, 5, 14, 9, 56, 40, 123, DateTimeKind.Utc), record.EventTime);
        Assert.Equal(DateTimeKind.Utc, record.EventTime.Kind);
        Assert.Equal("AWS:AIDAINPONIXQXHT3IKHL2", record.UserIdentity.PrincipalId);
        Assert.Equal("203.0.113.7", record.RequestParameters.SourceIPAddress);
        Assert.Equal("D82B88E5F771F645", record.ResponseElements.XAmzRequestId);
        Assert.StartsWith("vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQ", record.ResponseElements.XAmzId2);
        Assert.Equal("1.0", record.S3.S3SchemaVersion);
        Assert.Equal("uploads-created", record.S3.ConfigurationId);
        Assert.Equal("amzn-s3-demo-bucket", record.S3.Bucket.Name);
        Assert.Equal("arn:aws:s3:::amzn-s3-demo-bucket", record.S3.Bucket.Arn);
        Assert.Equal("A3I5XTEXAMAI3E", record.S3.Bucket.OwnerIdentity.PrincipalId);
        Assert.Equal("d41d8cd98f00b204e9800998ecf8427e-385", record.S3.Object.ETag);
        Assert.Equal("0066433558C1E2A5D7", record.S3.Object.Sequencer);
        Assert.Null(record.S3.Object.VersionId);
        Assert.Null(record.GlacierEventData);
    }

    [Fact]
    public void An_object_size_beyond_two_gibibytes_is_kept()
    {
        var size = Assert.Single(Read("s3-put.json").Records).S3.Object.Size;

        Assert.Equal(3_221_225_472L, size);
        Assert.True(size > int.MaxValue);
    }

    [Fact]
    public void The_key_arrives_form_encoded_and_decodes_to_the_real_key()
    {
        var entity = Assert.Single(Read("s3-put.json").Records).S3.Object;

        Assert.Equal("my+file%2B%C3%A9.csv", entity.Key);
        Assert.Equal("my file+é.csv", entity.KeyDecoded);
    }

    [Theory]
    [InlineData("my+file.csv", "my file.csv")]
    [InlineData("a%2Bb.csv", "a+b.csv")]
    [InlineData("caf%C3%A9.txt", "café.txt")]
    [InlineData("reports/2024/q1.csv", "reports/2024/q1.csv")]
    [InlineData("100%25+done", "100% done")]
    [InlineData("%E6%97%A5%E6%9C%AC.png", "日本.png")]
    public void DecodeKey_undoes_form_encoding(string key, string expected) =>
        Assert.Equal(expected, S3Event.DecodeKey(key));

    [Fact]
    public void A_delete_record_has_no_size_or_etag()
    {
        var record = Assert.Single(Read("s3-delete.json").Records);

        Assert.Equal("ObjectRemoved:Delete", record.EventName);
        Assert.Equal("reports/2024/q1.csv", record.S3.Object.Key);
        Assert.Null(record.S3.Object.Size);
        Assert.Null(record.S3.Object.ETag);
        Assert.Equal("00664336B3E61F2C1A", record.S3.Object.Sequencer);
    }

    [Fact]
    public void The_test_event_reads_without_records()
    {
        var s3Event = Read("s3-test-event.json");

        Assert.True(s3Event.IsTestEvent);
        Assert.Equal(S3Event.TestEvent, s3Event.Event);
        Assert.Empty(s3Event.Records);
        Assert.Equal("Amazon S3", s3Event.Service);
        Assert.Equal("amzn-s3-demo-bucket", s3Event.Bucket);
        Assert.Equal("5582815E1AEA5ADF", s3Event.RequestId);
        Assert.EndsWith("Ip8EXAMPLE", s3Event.HostId);
        Assert.Equal(new DateTime(2024, 5, 14, 9, 50, 2, 89, DateTimeKind.Utc), s3Event.Time);
    }

    [Fact]
    public void A_real_event_is_not_a_test_event()
    {
        var s3Event = Read("s3-put.json");

        Assert.False(s3Event.IsTestEvent);
        Assert.Null(s3Event.Event);
    }

    [Fact]
    public void A_restore_record_carries_glacier_event_data()
    {
        const string json = """
            {"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-2","eventTime":"2024-05-14T11:00:00.000Z",
              "eventName":"ObjectRestore:Completed","userIdentity":{"principalId":"AmazonCustomer:A3I5XTEXAMAI3E"},
              "requestParameters":{"sourceIPAddress":"s3.amazonaws.com"},"responseElements":{"x-amz-request-id":"1","x-amz-id-2":"2"},
              "s3":{"s3SchemaVersion":"1.0","configurationId":"restores",
                "bucket":{"name":"b","ownerIdentity":{"principalId":"A"},"arn":"arn:aws:s3:::b"},
                "object":{"key":"archive/x.bin","size":1024,"eTag":"abc","sequencer":"00"}},
              "glacierEventData":{"restoreEventData":{"lifecycleRestorationExpiryTime":"2024-05-21T00:00:00.000Z",
                "lifecycleRestoreStorageClass":"GLACIER"}}}]}
            """;

        var restore = Assert.Single(
            JsonSerializer.Deserialize(json, KernelJsonContext.Default.S3Event)!.Records).GlacierEventData?.RestoreEventData;

        Assert.NotNull(restore);
        Assert.Equal("GLACIER", restore.LifecycleRestoreStorageClass);
        Assert.Equal(new DateTime(2024, 5, 21, 0, 0, 0, DateTimeKind.Utc), restore.LifecycleRestorationExpiryTime);
    }
}
