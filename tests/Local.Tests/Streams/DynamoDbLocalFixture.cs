using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Local.Emulators;
using Serverless.Local.Installers;
using Serverless.Local.Tests.Emulators;

namespace Serverless.Local.Tests.Streams;

/// <summary>One DynamoDB Local for a test class; each test makes its own table, so its own stream.</summary>
public sealed class DynamoDbLocalFixture : IAsyncLifetime
{
    public DynamoDbLocal DynamoDb { get; private set; } = null!;
    public AmazonDynamoDBClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        DynamoDb = await DynamoDbLocal.StartAsync(new EmulatorInstaller(EmulatorTestPaths.Cache));
        Client = LocalClients.DynamoDb(DynamoDb.Endpoint);
    }

    /// <summary>A new table keyed PK/SK with a NEW_AND_OLD_IMAGES stream; answers the stream's ARN.</summary>
    public async Task<(string Table, string StreamArn)> CreateTableAsync()
    {
        var name = "streams-" + Guid.NewGuid().ToString("N")[..12];
        var created = await Client.CreateTableAsync(new CreateTableRequest
        {
            TableName = name,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new AttributeDefinition("PK", ScalarAttributeType.S),
                new AttributeDefinition("SK", ScalarAttributeType.S)],
            KeySchema = [new KeySchemaElement("PK", KeyType.HASH), new KeySchemaElement("SK", KeyType.RANGE)],
            StreamSpecification = new StreamSpecification { StreamEnabled = true, StreamViewType = StreamViewType.NEW_AND_OLD_IMAGES },
        });
        return (name, created.TableDescription.LatestStreamArn);
    }

    public Task PutAsync(string table, string pk, string sk, string value, string type = "ITEM") =>
        Client.PutItemAsync(table, new Dictionary<string, AttributeValue>
        {
            ["PK"] = new() { S = pk },
            ["SK"] = new() { S = sk },
            ["type"] = new() { S = type },
            ["v"] = new() { S = value },
        });

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await DynamoDb.DisposeAsync();
    }
}
