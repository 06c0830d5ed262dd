using Serverless.ServiceDefaults;
using Serverless.Uploads.Parsing;

namespace Serverless.Uploads;

/// <summary>
/// The upload item, <c>USER#{sub}</c> / <c>UPLOAD#{uploadId}</c>: what the API creates and shows and
/// what ProcessUpload claims, advances and finishes. One place for its attribute names and statuses.
/// <list type="table">
/// <item><term>uploadId, fileName, contentType, declaredSize</term><description>from <c>POST /uploads</c></description></item>
/// <item><term>objectKey</term><description><c>uploads/{sub}/{uploadId}/{fileName}</c>, the only key the presigned request may write</description></item>
/// <item><term>status</term><description><see cref="UploadStatus"/></description></item>
/// <item><term>createdAt, updatedAt, startedAt, completedAt</term><description>ISO 8601 UTC strings</description></item>
/// <item><term>rowsTotal, rowsProcessed, rowsFailed</term><description>numbers; rowsTotal once known (at the end)</description></item>
/// <item><term>labelCounts</term><description>map label → number</description></item>
/// <item><term>objectSize</term><description>the uploaded object's size, from the S3 event</description></item>
/// <item><term>resultKey</term><description><c>results/{sub}/{uploadId}.jsonl</c> once COMPLETED</description></item>
/// <item><term>error</term><description>why it FAILED, in words a user can act on</description></item>
/// <item><term>claim</term><description>the token of the invocation chain that owns the processing (conditional writes)</description></item>
/// <item><term>checkpoint</term><description>map: where a continuing invocation resumes</description></item>
/// <item><term>expiresAt</term><description>TTL on a PENDING_UPLOAD item only: an upload never made is forgotten</description></item>
/// </list>
/// </summary>
public static class UploadItem
{
    public const string SortKeyPrefix = "UPLOAD#";

    public static string SortKey(string uploadId) => SortKeyPrefix + uploadId;

    public static string ObjectKey(string userSub, string uploadId, string fileName) => $"uploads/{userSub}/{uploadId}/{fileName}";

    public static string ResultKey(string userSub, string uploadId) => $"results/{userSub}/{uploadId}.jsonl";

    /// <summary>Where a continuing ProcessUpload keeps the part of a result too small to be a multipart part yet (S3's 5 MiB minimum).</summary>
    public static string CarryKey(string userSub, string uploadId) => $"results/{userSub}/{uploadId}.jsonl.carry";

    public const string Status = "status";
    public const string ObjectKeyAttribute = "objectKey";
    public const string Format = "format";
    public const string ObjectSize = "objectSize";
    public const string RowsTotal = "rowsTotal";
    public const string RowsProcessed = "rowsProcessed";
    public const string RowsFailed = "rowsFailed";
    public const string LabelCounts = "labelCounts";
    public const string ResultKeyAttribute = "resultKey";
    public const string Error = "error";
    public const string Claim = "claim";
    public const string Checkpoint = "checkpoint";
    public const string StartedAt = "startedAt";
    public const string UpdatedAt = "updatedAt";
    public const string CompletedAt = "completedAt";

    /// <summary>The <c>format</c> attribute's values.</summary>
    public static UploadFormat? FormatOf(string? format) => format switch
    {
        "csv" => UploadFormat.Csv,
        "jsonl" => UploadFormat.JsonLines,
        "text" => UploadFormat.Text,
        _ => null,
    };

    public static Dictionary<string, Amazon.DynamoDBv2.Model.AttributeValue> Key(string userSub, string uploadId) => new()
    {
        [Table.PartitionKey] = new() { S = Table.UserPartition(userSub) },
        [Table.SortKey] = new() { S = SortKey(uploadId) },
    };
}

/// <summary>An upload's life: created, file arrived and claimed, then one of the two ends.</summary>
public static class UploadStatus
{
    public const string PendingUpload = "PENDING_UPLOAD";
    public const string Processing = "PROCESSING";
    public const string Completed = "COMPLETED";
    public const string Failed = "FAILED";
}
