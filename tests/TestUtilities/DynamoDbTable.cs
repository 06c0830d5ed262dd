using Amazon.DynamoDBv2;
using Serverless.Local;
using Serverless.Local.Emulators;
using Serverless.Local.Template;
using Serverless.ServiceDefaults;
using Xunit;

namespace Serverless.TestUtilities;

/// <summary>
/// DynamoDB Local (from the local cloud's emulator cache) with one table made as template.yaml declares the suite's table:
/// the same keys, indexes, stream and time to live the functions meet in the cloud.
/// </summary>
public sealed class DynamoDbTable : IAsyncLifetime
{
    private DynamoDbLocal dynamoDb = null!;

    /// <summary>Where the emulator's output goes; nowhere when null.</summary>
    public Action<string>? Output { get; init; }

    public AmazonDynamoDBClient Db { get; private set; } = null!;
    public Table Table { get; } = new("tests-" + Guid.NewGuid().ToString("N")[..8]);

    public async Task InitializeAsync()
    {
        dynamoDb = await DynamoDbLocal.StartAsync(LocalEmulators.Installer(Output), output: Output);
        Db = LocalClients.DynamoDb(dynamoDb.Endpoint);
        var template = SamTemplate.Load(Path.Combine(LocalEmulators.RepoRoot, "template.yaml"));
        var (_, table) = template.ResourcesOfType("AWS::DynamoDB::Table").Single();
        await LocalResources.CreateTableAsync(Db, Table.Name, table, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        Db.Dispose();
        await dynamoDb.DisposeAsync();
    }
}
