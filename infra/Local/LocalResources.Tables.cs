using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Local.Lambda;

namespace Serverless.Local;

// The template's tables on DynamoDB Local.
public sealed partial class LocalResources
{
    /// <summary>Creates each table, named by its <c>TableName</c> or <c>{stack}-{LogicalId}</c>.</summary>
    private async Task CreateTablesAsync(Action<string> log, CancellationToken cancellationToken)
    {
        using var db = LocalClients.DynamoDb(dynamoDb.Endpoint);
        foreach (var (logicalId, properties) in template.ResourcesOfType("AWS::DynamoDB::Table"))
        {
            var name = properties["TableName"] is { } given ? resolver.ResolveString(given) : $"{LocalCloud.StackName}-{logicalId}";
            var streamArn = await CreateOrReuseTableAsync(db, name, properties, cancellationToken);
            refs[logicalId] = name;
            attributes[$"{logicalId}.Arn"] = $"arn:aws:dynamodb:{LocalAccount.Region}:{LocalAccount.AccountId}:table/{name}";
            // DynamoDB Local's own stream ARN (region "ddblocal"), the one its Streams API answers to.
            if (streamArn is not null) attributes[$"{logicalId}.StreamArn"] = streamArn;
            log($"[dynamodb] table {name}");
        }
    }

    /// <summary>
    /// Creates a table, or reuses the one an earlier run left (under --persist) as it is; answers its stream's ARN. The stream
    /// of a reused table is read from its end (<see cref="StreamEventSources"/>): what it holds was delivered before.
    /// </summary>
    private async Task<string?> CreateOrReuseTableAsync(AmazonDynamoDBClient db, string name, JsonObject properties,
        CancellationToken cancellationToken)
    {
        try
        {
            return await CreateTableAsync(db, name, properties, cancellationToken);
        }
        catch (ResourceInUseException)
        {
            var streamArn = (await db.DescribeTableAsync(name, cancellationToken)).Table.LatestStreamArn;
            if (streamArn is not null) reusedStreams.Add(streamArn);
            return streamArn;
        }
    }

    /// <summary>Creates a table as the template defines it; answers its stream's ARN when it has a stream.</summary>
    public static async Task<string?> CreateTableAsync(AmazonDynamoDBClient db, string name, JsonObject properties,
        CancellationToken cancellationToken)
    {
        var request = new CreateTableRequest
        {
            TableName = name,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = properties["AttributeDefinitions"]!.AsArray().Select(definition => new AttributeDefinition(
                definition!["AttributeName"]!.GetValue<string>(), definition["AttributeType"]!.GetValue<string>())).ToList(),
            KeySchema = properties["KeySchema"]!.AsArray().Select(key => new KeySchemaElement(
                key!["AttributeName"]!.GetValue<string>(), key["KeyType"]!.GetValue<string>())).ToList(),
        };
        // Global secondary indexes as declared: keys and projection (on-demand, so no throughput).
        if (properties["GlobalSecondaryIndexes"] is JsonArray indexes)
            request.GlobalSecondaryIndexes = indexes.Select(index => new GlobalSecondaryIndex
            {
                IndexName = index!["IndexName"]!.GetValue<string>(),
                KeySchema = index["KeySchema"]!.AsArray().Select(key => new KeySchemaElement(
                    key!["AttributeName"]!.GetValue<string>(), key["KeyType"]!.GetValue<string>())).ToList(),
                Projection = new Projection
                {
                    ProjectionType = index["Projection"]?["ProjectionType"]?.GetValue<string>() ?? ProjectionType.KEYS_ONLY,
                    NonKeyAttributes = index["Projection"]?["NonKeyAttributes"]?.AsArray().Select(name =>
                        name!.GetValue<string>()).ToList(),
                },
            }).ToList();
        if (properties["StreamSpecification"]?["StreamViewType"]?.GetValue<string>() is { } viewType)
            request.StreamSpecification = new StreamSpecification { StreamEnabled = true, StreamViewType = viewType };
        var created = await db.CreateTableAsync(request, cancellationToken);
        if (properties["TimeToLiveSpecification"] is { } ttl && ttl["Enabled"]?.GetValue<bool>() == true)
            await db.UpdateTimeToLiveAsync(new UpdateTimeToLiveRequest
            {
                TableName = name,
                TimeToLiveSpecification = new TimeToLiveSpecification { AttributeName = ttl["AttributeName"]!.GetValue<string>(),
                    Enabled = true },
            }, cancellationToken);
        return created.TableDescription.LatestStreamArn;
    }
}
