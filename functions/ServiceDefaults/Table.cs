namespace Serverless.ServiceDefaults;

/// <summary>
/// The suite's one DynamoDB table (name in <c>TABLE_NAME</c>), single-table design. Every item a user owns lives in
/// the user's partition, so deleting a user is one query and its deletes. Each group keeps its items' schema:
/// <list type="table">
/// <listheader><term>item</term><description>PK / SK, schema</description></listheader>
/// <item><term>profile</term><description><c>USER#{sub}</c> / <c>PROFILE</c>, <c>Profile.ProfileItem</c></description></item>
/// <item><term>upload</term><description><c>USER#{sub}</c> / <c>UPLOAD#{id}</c>, <c>Uploads.UploadItem</c></description></item>
/// <item><term>prediction</term><description><c>USER#{sub}</c> / <c>PREDICTION#{time}#{id}</c>,
/// <c>Metering.PredictionItem</c></description></item>
/// <item><term>usage</term><description><c>USER#{sub}</c> / <c>USAGE#{yyyy-MM}</c>, <c>Metering.UsageItem</c></description></item>
/// <item><term>tombstone</term><description><c>USER#{sub}</c> / <c>DELETED</c>, <see cref="AccountDeletions"/></description></item>
/// </list>
/// Keys are the string attributes <c>PK</c> and <c>SK</c>; the TTL attribute is <c>expiresAt</c> (epoch seconds); every
/// item names its kind in <c>type</c>.
/// </summary>
public sealed record Table(string Name)
{
    public const string PartitionKey = "PK";
    public const string SortKey = "SK";
    public const string TimeToLive = "expiresAt";
    public const string ItemType = "type";

    public static Table FromEnvironment() => new(FunctionEnvironment.Required("TABLE_NAME"));

    public const string UserPartitionPrefix = "USER#";
    public static string UserPartition(string userSub) => UserPartitionPrefix + userSub;
}
