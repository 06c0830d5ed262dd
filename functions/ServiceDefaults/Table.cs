namespace Serverless.ServiceDefaults;

/// <summary>
/// The suite's one DynamoDB table (name in <c>TABLE_NAME</c>), single-table design. Every item a
/// user owns lives in the user's partition, so deleting a user is one query and its deletes.
/// <list type="table">
/// <listheader><term>item</term><description>PK / SK — attributes</description></listheader>
/// <item><term>profile</term><description><c>USER#{sub}</c> / <c>PROFILE</c> — email, displayName, locale, createdAt, updatedAt</description></item>
/// <item><term>upload</term><description><c>USER#{sub}</c> / <c>UPLOAD#{uploadId}</c> — see <c>Serverless.Uploads.UploadItem</c></description></item>
/// <item><term>prediction</term><description><c>USER#{sub}</c> / <c>PREDICTION#{time}#{id}</c>, with <c>expiresAt</c> TTL (predictions issue)</description></item>
/// <item><term>usage</term><description><c>USER#{sub}</c> / <c>USAGE#{yyyy-MM}</c> — see <see cref="UsageLedger"/></description></item>
/// <item><term>tombstone</term><description><c>USER#{sub}</c> / <c>DELETED</c> — a deleted account, see <see cref="AccountDeletions"/></description></item>
/// </list>
/// Keys are the string attributes <c>PK</c> and <c>SK</c>; the TTL attribute is <c>expiresAt</c> (epoch seconds).
/// </summary>
public sealed record Table(string Name)
{
    public const string PartitionKey = "PK";
    public const string SortKey = "SK";
    public const string TimeToLive = "expiresAt";

    public static Table FromEnvironment() => new(FunctionEnvironment.Required("TABLE_NAME"));

    public const string UserPartitionPrefix = "USER#";
    public static string UserPartition(string userSub) => UserPartitionPrefix + userSub;
    public const string ProfileSortKey = "PROFILE";

    /// <summary>The upload items' sort key prefix: the Uploads group writes them, the Usage group meters their completion.</summary>
    public const string UploadSortKeyPrefix = "UPLOAD#";

    /// <summary>The <c>status</c> of an upload being scored; the Usage group settles its end, COMPLETED or FAILED.</summary>
    public const string UploadProcessing = "PROCESSING";
    public const string UploadCompleted = "COMPLETED";
    public const string UploadFailed = "FAILED";

    /// <summary>The prediction items' sort key prefix: the Predictions group writes them.</summary>
    public const string PredictionSortKeyPrefix = "PREDICTION#";

    /// <summary>The <c>type</c> of a prediction item: what the Usage group meters.</summary>
    public const string PredictionType = "PREDICTION";
}
