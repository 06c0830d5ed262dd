using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Local;
using Serverless.Local.Emulators;
using Serverless.ServiceDefaults;

namespace Serverless.Usage.Tests;

/// <summary>DynamoDB Local (from the local cloud's emulator cache) with a table shaped like the template's.</summary>
public sealed class TableFixture : IAsyncLifetime
{
    private DynamoDbLocal dynamoDb = null!;

    public AmazonDynamoDBClient Db { get; private set; } = null!;
    public Table Table { get; } = new("usage-" + Guid.NewGuid().ToString("N")[..8]);

    public async Task InitializeAsync()
    {
        var cache = Path.Combine(LocalCloudOptions.FindRepoRoot(AppContext.BaseDirectory), ".local", "emulators");
        dynamoDb = await DynamoDbLocal.StartAsync(new EmulatorInstaller(cache));
        Db = LocalClients.DynamoDb(dynamoDb.Endpoint);
        await Db.CreateTableAsync(new CreateTableRequest
        {
            TableName = Table.Name,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions =
            [
                new AttributeDefinition(Table.PartitionKey, ScalarAttributeType.S),
                new AttributeDefinition(Table.SortKey, ScalarAttributeType.S),
            ],
            KeySchema = [new KeySchemaElement(Table.PartitionKey, KeyType.HASH), new KeySchemaElement(Table.SortKey, KeyType.RANGE)],
        });
    }

    public async Task DisposeAsync()
    {
        Db.Dispose();
        await dynamoDb.DisposeAsync();
    }
}

/// <summary>A clock standing still at a given instant.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
