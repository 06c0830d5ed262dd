using Serverless.Local.Lambda;

namespace Serverless.Local;

/// <summary>Where the local cloud finds the template and keeps its state, and the ports it binds on 127.0.0.1 (0: any free port).</summary>
public sealed record LocalCloudOptions(string RepoRoot, int ApiPort = 3000, int LambdaPort = 3001, int DynamoDbPort = 8000,
    int CognitoPort = 9229,
    int ModelPort = 8080, int S3Port = 4568)
{
    /// <summary><c>.local/</c>: emulator installs, function packages, the Cognito emulator's folder, the S3 emulator's buckets
    /// (<c>s3/</c>), <c>outputs.json</c>.</summary>
    public string StateDirectory { get; init; } = Path.Combine(RepoRoot, ".local");

    public string TemplatePath => Path.Combine(RepoRoot, "template.yaml");

    /// <summary>
    /// True (<c>--persist</c>): the table's items, the buckets' objects, the user pools with their users, and the pool and
    /// client ids survive a restart, in <see cref="PersistedStateDirectory"/>. False: every start is a clean slate.
    /// </summary>
    public bool Persist { get; init; }

    /// <summary><c>{StateDirectory}/state/</c>: DynamoDB Local's database, cognito-local's folder and the buckets, kept
    /// under <see cref="Persist"/> (a run without it leaves them alone).</summary>
    public string PersistedStateDirectory => Path.Combine(StateDirectory, "state");

    /// <summary>Template parameter values that replace the defaults, as <c>sam deploy --parameter-overrides</c> gives them.</summary>
    public IReadOnlyDictionary<string, string> ParameterOverrides { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Asynchronous invocations: retry N of a failed event waits N × <see cref="AsyncRetryDelay"/> (Lambda waits about
    /// 1 min, then 2 min); events given up on are written to <c>{StateDirectory}/failures/{function}/</c>.
    /// </summary>
    public TimeSpan AsyncRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The local account's concurrency limit (<c>--concurrency</c>; see <see cref="AccountConcurrency"/>):
    /// <see cref="ScalingSettings.DefaultAccountConcurrency"/> unless given.</summary>
    public int AccountConcurrency { get; init; } = ScalingSettings.DefaultAccountConcurrency;

    /// <summary>How long a function instance may stay idle before it is stopped (<see cref="ScalingSettings.IdleTimeout"/>).</summary>
    public TimeSpan IdleInstanceTimeout { get; init; } = ScalingSettings.DefaultIdleTimeout;

    public ScalingSettings Scaling => new(AccountConcurrency, IdleInstanceTimeout);

    /// <summary>Run the deployment packages (<c>make build-{LogicalId}</c>, as <c>sam build</c>) rather than fast
    /// <c>dotnet build</c>s of the function groups (<see cref="FunctionBuilds"/>); the end-to-end tests do.</summary>
    public bool Packaged { get; init; }

    /// <summary>Rebuild a group when its code under <c>functions/</c> changes, and reload its functions
    /// (<see cref="FunctionWatch"/>).</summary>
    public bool Watch { get; init; }

    /// <summary>Start the Aspire dashboard (<see cref="Telemetry.AspireDashboard"/>) on <see cref="DashboardPort"/>;
    /// <c>--no-dashboard</c> turns it off.</summary>
    public bool Dashboard { get; init; } = true;

    /// <summary>The dashboard's web frontend (18888, the Aspire dashboard's usual port; 0: any free port).</summary>
    public int DashboardPort { get; init; } = 18888;

    /// <summary>The local metrics view (<see cref="Telemetry.MetricsView"/>; 0: any free port).</summary>
    public int MetricsPort { get; init; } = 3002;

    public AsyncInvocationSettings AsyncInvocations => new(Path.Combine(StateDirectory, "failures"), AsyncRetryDelay);

    /// <summary>The folder holding <c>template.yaml</c>, from <paramref name="start"/> upwards.</summary>
    public static string FindRepoRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "template.yaml"))) return directory.FullName;
        throw new FileNotFoundException($"No template.yaml in {start} or above: run from the repository.");
    }
}
