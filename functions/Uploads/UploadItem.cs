using Serverless.Metering;
using Serverless.ServiceDefaults;

namespace Serverless.Uploads;

/// <summary>
/// The upload item, <c>USER#{sub}</c> / <c>UPLOAD#{uploadId}</c>: what the API creates and shows and
/// what ProcessUpload claims, advances and finishes. One place for its attribute names and statuses.
/// <list type="table">
/// <item><term>type</term><description><c>UPLOAD</c></description></item>
/// <item><term>uploadId, fileName, contentType, format, declaredSize</term><description>from <c>POST /uploads</c>; format as
/// <see cref="UploadFormats"/> maps the content type</description></item>
/// <item><term>objectKey</term><description><c>uploads/{sub}/{uploadId}/{fileName}</c>, the only key the presigned request may
/// write</description></item>
/// <item><term>status</term><description><see cref="UploadStatus"/></description></item>
/// <item><term>createdAt, updatedAt, startedAt, completedAt</term><description><see cref="Timestamp"/>s</description></item>
/// <item><term>rowsTotal, rowsProcessed, rowsFailed</term><description>numbers; rowsTotal once known (at the end): the rows read, which
/// are all the file's rows unless it stopped at the quota, then only those read before it (the rows in the result)</description></item>
/// <item><term>labelCounts</term><description>map label → number</description></item>
/// <item><term>objectSize, objectETag</term><description>the uploaded object's size and ETag, from the S3 event: processing reads
/// that object only (<c>If-Match</c>), within the declared size</description></item>
/// <item><term>resultKey</term><description><c>results/{sub}/{uploadId}.jsonl</c> once COMPLETED</description></item>
/// <item><term>error</term><description>why it FAILED, in words a user can act on</description></item>
/// <item><term>stoppedAtQuota, note</term><description>true, and why in words, on a COMPLETED upload that stopped at the user's
/// monthly quota before the end of its file</description></item>
/// <item><term>claim</term><description>the request id of the invocation that holds the processing, or the token it handed on
/// to the next (conditional writes)</description></item>
/// <item><term>usageMonth</term><description><c>yyyy-MM</c>, set by the first claim: the month whose quota the upload
/// reserves in and is settled in</description></item>
/// <item><term>heartbeatAt</term><description>a <see cref="Timestamp"/> the invocation holding the processing renews while it
/// works</description></item>
/// <item><term>processingPartition</term><description><see cref="UploadItem.ProcessingPartition"/> while PROCESSING only: the key
/// of the sparse index <see cref="UploadItem.ProcessingIndex"/> (sort key heartbeatAt) the sweeper finds stranded uploads
/// by</description></item>
/// <item><term>handedOnBy</term><description>the claim of the invocation that handed the upload on, until a continuation takes it
/// over</description></item>
/// <item><term>checkpoint</term><description>map: where a continuing invocation resumes, with the counts up to there</description></item>
/// <item><term>expiresAt</term><description>TTL on a PENDING_UPLOAD item only: an upload never made is forgotten</description></item>
/// </list>
/// </summary>
public static class UploadItem
{
    /// <summary>The <c>type</c> attribute's value.</summary>
    public const string Type = "UPLOAD";

    /// <summary>How long a PENDING_UPLOAD item lives if no file arrives (its <c>expiresAt</c>).</summary>
    public static readonly TimeSpan PendingLifetime = TimeSpan.FromHours(24);

    public static string SortKey(string uploadId) => MeteredUpload.SortKeyPrefix + uploadId;

    /// <summary>The table's index of PROCESSING uploads by heartbeat (template.yaml's <c>ProcessingUploads</c>).</summary>
    public const string ProcessingIndex = "ProcessingUploads";

    /// <summary>
    /// The index's one partition key value. One partition takes a write per heartbeat of each upload being processed:
    /// far below a partition's 1,000 writes a second for the uploads one account's Lambda concurrency can run.
    /// </summary>
    public const string ProcessingPartition = "PROCESSING";

    /// <summary>Whether <paramref name="id"/> has the form of an upload id: a GUID in "N" form (32 lower-case hex digits).</summary>
    public static bool IsUploadId(string id) => id.Length == 32 && id.All(char.IsAsciiHexDigitLower);

    public static string ObjectKey(string userSub, string uploadId, string fileName) => $"{ObjectPrefix(userSub, uploadId)}{fileName}";

    /// <summary>Where the upload's file lives: the only object under it is the one the presigned request wrote.</summary>
    public static string ObjectPrefix(string userSub, string uploadId) => $"{BucketPrefix.UploadsOf(userSub)}{uploadId}/";

    public static string ResultKey(string userSub, string uploadId) => $"{BucketPrefix.ResultsOf(userSub)}{uploadId}.jsonl";

    /// <summary>
    /// Where checkpoint number <paramref name="checkpoint"/> keeps the part of a result too small to be a multipart part yet
    /// (S3's 5 MiB minimum). A key per checkpoint: an invocation that dies after saving the next one's bytes but before
    /// saving the checkpoint cannot have overwritten the bytes its retry resumes from.
    /// </summary>
    public static string CarryKey(string userSub, string uploadId, int checkpoint) =>
        $"{ResultKey(userSub, uploadId)}.carry.{checkpoint.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    public static Dictionary<string, Amazon.DynamoDBv2.Model.AttributeValue> Key(string userSub, string uploadId) => new()
    {
        [Table.PartitionKey] = new() { S = Table.UserPartition(userSub) },
        [Table.SortKey] = new() { S = SortKey(uploadId) },
    };
}

/// <summary>The upload item's attribute names (besides the keys).</summary>
public static class UploadAttribute
{
    public const string Type = Table.ItemType;
    public const string UploadId = "uploadId";
    public const string FileName = "fileName";
    public const string ContentType = "contentType";
    public const string Format = "format";
    public const string DeclaredSize = "declaredSize";
    public const string ObjectKey = "objectKey";
    public const string Status = MeteredUpload.Status;
    public const string CreatedAt = "createdAt";
    public const string UpdatedAt = "updatedAt";
    public const string StartedAt = "startedAt";
    public const string CompletedAt = "completedAt";
    public const string RowsTotal = "rowsTotal";
    public const string RowsProcessed = MeteredUpload.RowsProcessed;
    public const string RowsFailed = MeteredUpload.RowsFailed;
    public const string LabelCounts = "labelCounts";
    public const string ObjectSize = MeteredUpload.ObjectSize;
    public const string ObjectETag = "objectETag";
    public const string ResultKey = "resultKey";
    public const string Error = "error";
    public const string StoppedAtQuota = "stoppedAtQuota";
    public const string Note = "note";
    public const string Claim = "claim";
    public const string UsageMonth = MeteredItem.UsageMonth;
    public const string Checkpoint = "checkpoint";
    public const string HeartbeatAt = "heartbeatAt";
    public const string ProcessingPartition = "processingPartition";
    public const string HandedOnBy = "handedOnBy";
    public const string ExpiresAt = Table.TimeToLive;
}

/// <summary>
/// The declared content types an upload may have and the <c>format</c> each means: <c>text/csv</c> → <c>csv</c>;
/// <c>application/jsonl</c>, <c>application/x-ndjson</c>, <c>application/x-jsonlines</c> → <c>jsonl</c>;
/// <c>text/plain</c> → <c>text</c>.
/// </summary>
public static class UploadFormats
{
    public const string Csv = "csv";
    public const string JsonLines = "jsonl";
    public const string Text = "text";

    public static readonly IReadOnlyDictionary<string, string> ByMediaType =
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["text/csv"] = Csv,
            ["application/jsonl"] = JsonLines,
            ["application/x-ndjson"] = JsonLines,
            ["application/x-jsonlines"] = JsonLines,
            ["text/plain"] = Text,
        };
}

/// <summary>An upload's life: created, file arrived and claimed, then one of the two ends.</summary>
public static class UploadStatus
{
    public const string PendingUpload = "PENDING_UPLOAD";
    public const string Processing = MeteredUpload.Processing;
    public const string Completed = MeteredUpload.Completed;
    public const string Failed = MeteredUpload.Failed;
}
