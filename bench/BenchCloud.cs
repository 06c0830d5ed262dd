using Serverless.Local;
using Serverless.Local.Lambda;

namespace Serverless.Bench;

/// <summary>
/// A benchmark's own local cloud: on free ports, its state in a temporary folder that goes when it stops, and a monthly
/// quota no benchmark reaches (the template's default, 10,000 texts, would stop a 100,000-row upload after a tenth of it).
/// </summary>
internal sealed class BenchCloud(LocalCloud cloud, string state) : IAsyncDisposable
{
    public IReadOnlyDictionary<string, string> Outputs => cloud.Outputs;
    public LocalCloudOptions Options => cloud.Options;
    /// <summary>The functions as the cloud runs them: each environment names the cloud's emulators and resources.</summary>
    public IReadOnlyCollection<FunctionDefinition> Functions => cloud.Lambda.Functions;

    /// <param name="log">Receives the cloud's output lines (the functions' log lines among them); dropped when null.</param>
    public static async Task<BenchCloud> StartAsync(Action<string>? log = null)
    {
        var repoRoot = LocalCloudOptions.FindRepoRoot(AppContext.BaseDirectory);
        var state = Path.Combine(Path.GetTempPath(), "serverless-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var cloud = await LocalCloud.StartAsync(
            new LocalCloudOptions(repoRoot, ApiPort: 0, LambdaPort: 0, DynamoDbPort: 0, CognitoPort: 0, ModelPort: 0, S3Port: 0) {
                StateDirectory = state,
                Packaged = true,
                Dashboard = false,
                MetricsPort = 0,
                ParameterOverrides = new Dictionary<string, string> { ["MonthlyTextQuota"] = "1000000000" },
            },
            log ?? (_ => { }), CancellationToken.None);
        return new BenchCloud(cloud, state);
    }

    public async ValueTask DisposeAsync()
    {
        await cloud.DisposeAsync();
        Directory.Delete(state, recursive: true);
    }
}
