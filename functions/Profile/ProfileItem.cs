using Amazon.DynamoDBv2.Model;
using Serverless.ServiceDefaults;

namespace Serverless.Profile;

/// <summary>
/// The profile item, <c>USER#{sub}</c> / <c>PROFILE</c>: created by the sign-up's confirmation, shown and changed by
/// <c>/me</c>. Its attributes: <c>type</c> (<see cref="Type"/>), <c>userId</c> (the sub), <c>email</c>,
/// <c>displayName</c> (<see cref="Profile.DisplayName"/>'s rule), <c>locale</c> once set, and the
/// <see cref="Timestamp"/>s <c>createdAt</c> and <c>updatedAt</c>.
/// </summary>
public static class ProfileItem
{
    public const string SortKey = "PROFILE";

    /// <summary>The <c>type</c> attribute's value.</summary>
    public const string Type = "PROFILE";

    public const string UserId = "userId";
    public const string Email = "email";
    public const string DisplayName = "displayName";
    public const string Locale = "locale";
    public const string CreatedAt = "createdAt";
    public const string UpdatedAt = "updatedAt";

    public static Dictionary<string, AttributeValue> Key(string userSub) => new()
    {
        [Table.PartitionKey] = new() { S = Table.UserPartition(userSub) },
        [Table.SortKey] = new() { S = SortKey },
    };
}
