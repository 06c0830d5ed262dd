using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.ServiceDefaults;

namespace Serverless.Profile;

/// <summary>A user's profile as the API shows it.</summary>
public sealed record UserProfile(
    string UserId, string Email, string DisplayName, string? Locale, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>The users' profiles: their items (<see cref="ProfileItem"/>).</summary>
public sealed class Profiles(IAmazonDynamoDB db, Table table, TimeProvider time)
{
    public async Task<UserProfile?> GetAsync(string userSub, CancellationToken cancellationToken)
    {
        var response = await db.GetItemAsync(new GetItemRequest
        {
            TableName = table.Name,
            Key = ProfileItem.Key(userSub),
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
                Item = new Dictionary<string, AttributeValue>(ProfileItem.Key(userSub))
                {
                    [Table.ItemType] = new() { S = ProfileItem.Type },
                    [ProfileItem.UserId] = new() { S = userSub },
                    [ProfileItem.Email] = new() { S = email },
                    [ProfileItem.DisplayName] = new() { S = displayName },
                    [ProfileItem.CreatedAt] = new() { S = now },
                    [ProfileItem.UpdatedAt] = new() { S = now },
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
    public async Task<UserProfile?> UpdateAsync(
        string userSub, string? displayName, string? locale, CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, string>();
        var values = new Dictionary<string, AttributeValue>();
        var sets = new List<string>();
        Set(ProfileItem.UpdatedAt, Timestamp.Of(time.GetUtcNow()));
        if (displayName is not null) Set(ProfileItem.DisplayName, displayName);
        if (locale is not null) Set(ProfileItem.Locale, locale);
        try
        {
            var response = await db.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = table.Name,
                Key = ProfileItem.Key(userSub),
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

    private static UserProfile FromItem(Dictionary<string, AttributeValue> item) => new(
        item[ProfileItem.UserId].S,
        item[ProfileItem.Email].S,
        item[ProfileItem.DisplayName].S,
        item.TryGetValue(ProfileItem.Locale, out var locale) ? locale.S : null,
        DateTimeOffset.Parse(item[ProfileItem.CreatedAt].S, CultureInfo.InvariantCulture),
        DateTimeOffset.Parse(item[ProfileItem.UpdatedAt].S, CultureInfo.InvariantCulture));
}
