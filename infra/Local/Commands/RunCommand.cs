using System.Runtime.InteropServices;

namespace Serverless.Local.Commands;

/// <summary>
/// No sub-command: runs <c>template.yaml</c> on 127.0.0.1 until Ctrl+C or SIGTERM, with the parameter values given by
/// <c>--parameter-overrides</c> (as <c>sam deploy</c> takes them) in place of the defaults; <c>--packaged</c> runs the
/// deployment packages instead of fast builds, <c>--watch</c> reloads a group when its code changes, <c>--concurrency</c>
/// sets the local account's concurrency limit (<see cref="LocalCloudOptions.AccountConcurrency"/>).
/// </summary>
public static class RunCommand
{
    public const string Usage =
        "[--packaged] [--watch] [--persist] [--parameter-overrides 'Key=Value ...'] [--state-dir folder] [--free-ports] [--no-dashboard]"
        + " [--concurrency N]";

    private static readonly Dictionary<string, string> Options = new()
    {
        ["--parameter-overrides"] = "--parameter-overrides", ["--packaged"] = "--packaged", ["--watch"] = "--watch",
        ["--state-dir"] = "--state-dir", ["--persist"] = "--persist", ["--free-ports"] = "--free-ports",
        ["--no-dashboard"] = "--no-dashboard", ["--concurrency"] = "--concurrency",
    };

    /// <summary><c>--persist</c> keeps state across restarts (<see cref="LocalCloudOptions.Persist"/>); <c>--free-ports</c>
    /// binds every port to a free one (outputs.json names them), so a second local cloud can run beside the first.</summary>
    private static readonly HashSet<string> Flags = ["--packaged", "--watch", "--persist", "--free-ports", "--no-dashboard"];

    public static async Task<int> RunAsync(LocalCloudOptions options, string[] args)
    {
        var line = CommandLine.Parse(args, Options, Flags);
        if (line.Words.Count > 0)
            throw new UsageException($"Unknown command {line.Words[0]}.");
        if (line.Option("--parameter-overrides") is { } overrides)
            options = options with { ParameterOverrides = ParameterOverrides.Parse(overrides) };
        // A package is rebuilt in place (sam build's ARTIFACTS_DIR), under its running instances: only fast builds reload.
        if (line.Flag("--watch") && line.Flag("--packaged"))
            throw new UsageException("--watch reloads fast builds; it does not take --packaged.");
        options = options with { Packaged = line.Flag("--packaged"), Watch = line.Flag("--watch"), Persist = line.Flag("--persist") };
        if (line.Flag("--no-dashboard")) options = options with { Dashboard = false };
        if (line.Option("--concurrency") is { } concurrency)
            options = options with { AccountConcurrency = int.TryParse(concurrency, out var limit) && limit > 0 ? limit
                : throw new UsageException($"--concurrency takes a positive number, not {concurrency}.") };
        if (line.PathOption("--state-dir") is { } stateDirectory)
            options = options with { StateDirectory = stateDirectory };
        if (line.Flag("--free-ports"))
            options = options with { ApiPort = 0, LambdaPort = 0, DynamoDbPort = 0, CognitoPort = 0, ModelPort = 0, S3Port = 0,
                DashboardPort = 0, MetricsPort = 0 };

        using var stopping = new CancellationTokenSource();
        // Ctrl+C and SIGTERM (a process manager, `kill`) both stop everything, all at once (LocalCloud.DisposeAsync).
        void Stop(PosixSignalContext signal)
        {
            signal.Cancel = true;
            stopping.Cancel();
        }
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        LocalCloud cloud;
        try
        {
            cloud = await LocalCloud.StartAsync(options, Console.WriteLine, stopping.Token);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            Console.Error.WriteLine($"The local cloud could not start: {error.Message}");
            Console.Error.WriteLine(error);
            return 1;
        }
        await using (cloud)
        {
            cloud.PrintQuickStart(Console.Out);
            try
            {
                await Task.Delay(Timeout.Infinite, stopping.Token);
            }
            catch (OperationCanceledException)
            {
                Console.WriteLine("Stopping the local cloud...");
            }
        }
        return 0;
    }
}
