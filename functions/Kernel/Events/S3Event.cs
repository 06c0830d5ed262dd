using System.Net;
using System.Text.Json.Serialization;

namespace Serverless.Kernel.Events;

/// <summary>
/// An S3 event notification. Names follow the official <c>Amazon.Lambda.S3Events.S3Event</c>.
/// It also reads S3's <c>s3:TestEvent</c> message, which has no records, only <see cref="Event"/> and its siblings.
/// </summary>
public sealed class S3Event
{
    public const string TestEvent = "s3:TestEvent";

    [JsonPropertyName("Records")] public List<S3EventNotificationRecord> Records { get; set; } = [];

    [JsonPropertyName("Service")] public string? Service { get; set; }

    /// <summary><see cref="TestEvent"/> on the test message S3 sends when notifications are configured; null otherwise.</summary>
    [JsonPropertyName("Event")] public string? Event { get; set; }

    [JsonPropertyName("Time")] public DateTime? Time { get; set; }
    [JsonPropertyName("Bucket")] public string? Bucket { get; set; }
    [JsonPropertyName("RequestId")] public string? RequestId { get; set; }
    [JsonPropertyName("HostId")] public string? HostId { get; set; }

    [JsonIgnore] public bool IsTestEvent => Event == TestEvent;

    /// <summary>
    /// Turns an event's object key back into the real key. Keys arrive form-encoded: <c>+</c> is a space,
    /// <c>%2B</c> a literal plus, and other characters are UTF-8 percent-escapes (<c>%C3%A9</c> is <c>é</c>).
    /// </summary>
    public static string DecodeKey(string key) => WebUtility.UrlDecode(key);

    public sealed class S3EventNotificationRecord
    {
        [JsonPropertyName("eventVersion")] public string EventVersion { get; set; } = "";
        [JsonPropertyName("eventSource")] public string EventSource { get; set; } = "";
        [JsonPropertyName("awsRegion")] public string AwsRegion { get; set; } = "";
        [JsonPropertyName("eventTime")] public DateTime EventTime { get; set; }

        /// <summary>Without the <c>s3:</c> prefix, e.g. <c>ObjectCreated:Put</c>.</summary>
        [JsonPropertyName("eventName")] public string EventName { get; set; } = "";

        [JsonPropertyName("userIdentity")] public UserIdentityEntity UserIdentity { get; set; } = new();
        [JsonPropertyName("requestParameters")] public RequestParametersEntity RequestParameters { get; set; } = new();
        [JsonPropertyName("responseElements")] public ResponseElementsEntity ResponseElements { get; set; } = new();
        [JsonPropertyName("s3")] public S3Entity S3 { get; set; } = new();
        [JsonPropertyName("glacierEventData")] public S3GlacierEventDataEntity? GlacierEventData { get; set; }
    }

    public sealed class UserIdentityEntity
    {
        [JsonPropertyName("principalId")] public string PrincipalId { get; set; } = "";
    }

    public sealed class RequestParametersEntity
    {
        [JsonPropertyName("sourceIPAddress")] public string SourceIPAddress { get; set; } = "";
    }

    public sealed class ResponseElementsEntity
    {
        [JsonPropertyName("x-amz-request-id")] public string XAmzRequestId { get; set; } = "";
        [JsonPropertyName("x-amz-id-2")] public string XAmzId2 { get; set; } = "";
    }

    public sealed class S3Entity
    {
        [JsonPropertyName("s3SchemaVersion")] public string S3SchemaVersion { get; set; } = "";
        [JsonPropertyName("configurationId")] public string ConfigurationId { get; set; } = "";
        [JsonPropertyName("bucket")] public S3BucketEntity Bucket { get; set; } = new();
        [JsonPropertyName("object")] public S3ObjectEntity Object { get; set; } = new();
    }

    public sealed class S3BucketEntity
    {
        [JsonPropertyName("name")] public string Name { get; set; } = "";
        [JsonPropertyName("ownerIdentity")] public UserIdentityEntity OwnerIdentity { get; set; } = new();
        [JsonPropertyName("arn")] public string Arn { get; set; } = "";
    }

    public sealed class S3ObjectEntity
    {
        /// <summary>Form-encoded as S3 sent it; see <see cref="KeyDecoded"/>.</summary>
        [JsonPropertyName("key")] public string Key { get; set; } = "";

        /// <summary>The real object key, for S3 API calls.</summary>
        [JsonIgnore] public string KeyDecoded => DecodeKey(Key);

        /// <summary>In bytes; absent on delete events.</summary>
        [JsonPropertyName("size")] public long? Size { get; set; }

        /// <summary>Absent on delete events.</summary>
        [JsonPropertyName("eTag")] public string? ETag { get; set; }

        [JsonPropertyName("versionId")] public string? VersionId { get; set; }
        [JsonPropertyName("sequencer")] public string? Sequencer { get; set; }
    }

    public sealed class S3GlacierEventDataEntity
    {
        [JsonPropertyName("restoreEventData")] public S3RestoreEventDataEntity RestoreEventData { get; set; } = new();
    }

    public sealed class S3RestoreEventDataEntity
    {
        [JsonPropertyName("lifecycleRestorationExpiryTime")] public DateTime LifecycleRestorationExpiryTime { get; set; }
        [JsonPropertyName("lifecycleRestoreStorageClass")] public string LifecycleRestoreStorageClass { get; set; } = "";
    }
}
