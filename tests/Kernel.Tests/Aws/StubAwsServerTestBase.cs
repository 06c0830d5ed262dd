using Amazon.Runtime;

namespace Serverless.Kernel.Tests.Aws;

/// <summary>An AWS client's tests against a fresh <see cref="StubAwsServer"/> on 127.0.0.1, signing as AWS's examples do.</summary>
public abstract class StubAwsServerTestBase : IAsyncLifetime
{
    private protected const string AccessKey = "AKIAIOSFODNN7EXAMPLE";
    private protected const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private protected static readonly DateTimeOffset Now = new(2024, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private protected StubAwsServer server = null!;
    private protected readonly HttpClient http = new();

    public async Task InitializeAsync() => server = await StubAwsServer.StartAsync();

    public async Task DisposeAsync()
    {
        http.Dispose();
        await server.DisposeAsync();
    }

    /// <summary>The example keys, with a session token when one is given.</summary>
    private protected static AWSCredentials Credentials(string? token) =>
        token is null ? new BasicAWSCredentials(AccessKey, SecretKey) : new SessionAWSCredentials(AccessKey, SecretKey, token);
}
