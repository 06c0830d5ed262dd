using Xunit;

namespace Serverless.TestUtilities;

/// <summary>A group's API in process on its own DynamoDB Local table, for one test class.</summary>
public abstract class ApiFixture : IAsyncLifetime
{
    public DynamoDbTable Data { get; } = new();
    public TestApi Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Data.InitializeAsync();
        Api = await StartAsync();
    }

    /// <summary>Starts the API on <see cref="Data"/>, once the table is there.</summary>
    protected abstract Task<TestApi> StartAsync();

    public virtual async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await Data.DisposeAsync();
    }
}
