using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.ServiceDefaults;

namespace Serverless.Profile;

/// <summary>A user's profile as the API shows it.</summary>
public sealed record UserProfile(string UserId, string Email, string DisplayName, string? Locale, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>Profile items (<c>USER#{sub}</c> / <c>PROFILE</c>).</summary>
public sealed class Profiles(IAmazonDynamoDB db, Table table, TimeProvider time)
{
    public async Task<UserProfile?> GetAsync(string userSub, CancellationToken cancellationToken)
    {
        var response = await db.GetItemAsync(new GetItemRequest
        {
            TableName = table.Name,
            Key = Key(userSub),
            ConsistentRead = true,
        }, cancellationToken);
        return response.IsItemSet ? FromItem(response.Item) : null;
    }

    /// <summary>Creates the profile unless it exists: a second delivery of the same sign-up changes nothing.</summary>
    public async Task<bool> CreateAsync(string userSub, string email, string displayName, CancellationToken cancellationToken)
    {
        var now = Timestamp.Of(time.GetUtcNow());
        try
        {
            await db.PutItemAsync(new PutItemRequest
            {
                TableName = table.Name,
                Item = new Dictionary<string, AttributeValue>(Key(userSub))
                {
                    ["type"] = new() { S = "PROFILE" },
                    ["userId"] = new() { S = userSub },
                    ["email"] = new() { S = email },
                    ["displayName"] = new() { S = displayName },
                    ["createdAt"] = new() { S = now },
                    ["updatedAt"] = new() { S = now },
                },
                ConditionExpression = "attribute_not_exists(PK)",
            }, cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    /// <summary>Sets the given fields (null leaves a field as it is); null when there is no profile.</summary>
    public async Task<UserProfile?> UpdateAsync(string userSub, string? displayName, string? locale, CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, string> { ["#updatedAt"] = "updatedAt" };
        var values = new Dictionary<string, AttributeValue> { [":updatedAt"] = new() { S = Timestamp.Of(time.GetUtcNow()) } };
        var sets = new List<string> { "#updatedAt = :updatedAt" };
        if (displayName is not null) Set("displayName", displayName);
        if (locale is not null) Set("locale", locale);
        try
        {
            var response = await db.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = table.Name,
                Key = Key(userSub),
                UpdateExpression = "SET " + string.Join(", ", sets),
                ConditionExpression = "attribute_exists(PK)",
                ExpressionAttributeNames = names,
                ExpressionAttributeValues = values,
                ReturnValues = ReturnValue.ALL_NEW,
            }, cancellationToken);
            return FromItem(response.Attributes);
        }
        catch (ConditionalCheckFailedException)
        {
            return null;
        }

        void Set(string attribute, string value)
        {
            names["#" + attribute] = attribute;
            values[":" + attribute] = new AttributeValue { S = value };
            sets.Add($"#{attribute} = :{attribute}");
        }
    }

    private static Dictionary<string, AttributeValue> Key(string userSub) => new()
    {
        [Table.PartitionKey] = new() { S = Table.UserPartition(userSub) },
        [Table.SortKey] = new() { S = Table.ProfileSortKey },
    };

    private static UserProfile FromItem(Dictionary<string, AttributeValue> item) => new(
        item["userId"].S,
        item["email"].S,
        item["displayName"].S,
        item.TryGetValue("locale", out var locale) ? locale.S : null,
        DateTimeOffset.Parse(item["createdAt"].S, System.Globalization.CultureInfo.InvariantCulture),
        DateTimeOffset.Parse(item["updatedAt"].S, System.Globalization.CultureInfo.InvariantCulture));
}
