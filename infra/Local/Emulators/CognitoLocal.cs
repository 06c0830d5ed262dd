using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Local.Installers;
using Serverless.Local.Processes;

namespace Serverless.Local.Emulators;

/// <summary>
/// cognito-local (a Cognito user-pool emulator) running as a child process on 127.0.0.1.
/// <para>
/// It is started by <c>cognito-local-launcher.js</c> with the working folder given by the caller; there it reads
/// <c>.cognito/config.json</c>
/// (rewritten on every start by <see cref="StartAsync"/>) and keeps its data in <c>.cognito/db/</c>:
/// <c>clients.json</c> for app clients and <c>&lt;poolId&gt;.json</c> per user pool (options, users with their
/// passwords in clear text, groups). Pools, clients and users therefore survive restarts.
/// </para>
/// <para>
/// Tokens are RS256, signed with the fixed key shipped in the npm package (kid "CognitoLocal"), issuer
/// <c>{Endpoint}/{poolId}</c>; the JWKS is served at <c>{Endpoint}/{poolId}/.well-known/jwks.json</c> for any pool id.
/// Lambda triggers are sent to the Lambda Invoke API at the configured endpoint:
/// <c>POST /2015-03-31/functions/{name}/invocations</c>.
/// </para>
/// </summary>
public sealed partial class CognitoLocal : IAsyncDisposable
{
    /// <summary>The only address cognito-local listens on.</summary>
    public const string Host = "127.0.0.1";

    /// <summary>Starts cognito-local as its own start script does, its log written at once; in <c>Emulators/</c> next
    /// to this assembly.</summary>
    public const string LauncherScript = "cognito-local-launcher.js";

    private readonly HttpClient http;

    private CognitoLocal(ChildProcess process, int port, string workingDirectory, TimeSpan startupTime)
    {
        Process = process;
        Port = port;
        WorkingDirectory = workingDirectory;
        StartupTime = startupTime;
        http = new HttpClient { BaseAddress = new Uri(Endpoint + "/"), Timeout = TimeSpan.FromSeconds(130) };
    }

    /// <summary>The node process.</summary>
    public ChildProcess Process { get; }

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary>The folder holding <c>.cognito/</c>.</summary>
    public string WorkingDirectory { get; }

    /// <summary>The API endpoint, e.g. http://127.0.0.1:9229 (AmazonCognitoIdentityProviderConfig.ServiceURL).</summary>
    public string Endpoint => $"http://{Host}:{Port}";

    /// <summary>Time from starting node to the first successful /health.</summary>
    public TimeSpan StartupTime { get; }

    /// <summary>The <c>iss</c> claim of a pool's tokens.</summary>
    public string Issuer(string userPoolId) => $"{Endpoint}/{userPoolId}";

    /// <summary>The JWKS document of a pool's tokens (the same key for every pool).</summary>
    public string JwksUri(string userPoolId) => $"{Endpoint}/{userPoolId}/.well-known/jwks.json";

    /// <summary>Installs cognito-local if needed, writes its configuration, starts it and waits until it answers.</summary>
    /// <param name="installer">Installs (once) and locates cognito-local.</param>
    /// <param name="workingDirectory">Folder that gets <c>.cognito/config.json</c> and keeps <c>.cognito/db/</c>.</param>
    /// <param name="port">Port to listen on; 0 picks a free one (the issuer must be known before start, so it is chosen here).</param>
    /// <param name="lambdaEndpoint">Base URL of the Lambda Invoke API that receives triggers, e.g. http://127.0.0.1:9001;
    /// required when <paramref name="triggerFunctions"/> is not empty.</param>
    /// <param name="triggerFunctions">Trigger name to function name, e.g. { "PostConfirmation": "CreateProfile" }.
    /// cognito-local knows PreSignUp, PostConfirmation, PostAuthentication, PreTokenGeneration, UserMigration,
    /// CustomMessage and CustomEmailSender.</param>
    /// <param name="confirmationCode">When set, every code cognito-local makes (sign-up, forgot password, MFA) is this
    /// value instead of a random six-digit one (its CODE environment variable).</param>
    /// <param name="output">Receives cognito-local's output lines (codes are printed there), prefixed with "[cognito]".</param>
    /// <param name="timeout">How long to wait for it to answer; 30 s when null.</param>
    /// <param name="cancellationToken">Cancels the wait (and stops the process).</param>
    public static async Task<CognitoLocal> StartAsync(
        EmulatorInstaller installer,
        string workingDirectory,
        int port = 0,
        string? lambdaEndpoint = null,
        IReadOnlyDictionary<string, string>? triggerFunctions = null,
        string? confirmationCode = null,
        Action<string>? output = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(installer);
        ArgumentException.ThrowIfNullOrWhiteSpace(workingDirectory);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        triggerFunctions ??= new Dictionary<string, string>();
        if (triggerFunctions.Count > 0 && lambdaEndpoint is null)
        {
            throw new ArgumentException("Trigger functions need a lambdaEndpoint to be invoked on.", nameof(lambdaEndpoint));
        }
        await installer.InstallCognitoLocalAsync(cancellationToken).ConfigureAwait(false);

        workingDirectory = Path.GetFullPath(workingDirectory);
        // A port picked here is free when picked, but another process may take it before cognito-local listens (tests
        // start several clouds at once): then cognito-local exits with EADDRINUSE and a newly picked port is tried.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnAsync(installer, workingDirectory, port == 0 ? FindFreePort() : port, lambdaEndpoint,
                    triggerFunctions, confirmationCode, output, timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException taken) when (port == 0 && attempt < 3
                && taken.Message.Contains("EADDRINUSE", StringComparison.Ordinal))
            {
                output?.Invoke($"[cognito] port taken before cognito-local listened; trying another ({attempt})");
            }
        }
    }

    private static async Task<CognitoLocal> StartOnAsync(
        EmulatorInstaller installer,
        string workingDirectory,
        int port,
        string? lambdaEndpoint,
        IReadOnlyDictionary<string, string> triggerFunctions,
        string? confirmationCode,
        Action<string>? output,
        TimeSpan? timeout,
        CancellationToken cancellationToken)
    {
        var configDirectory = Path.Combine(workingDirectory, ".cognito");
        Directory.CreateDirectory(configDirectory);
        var config = BuildConfig(port, lambdaEndpoint, triggerFunctions);
        await File.WriteAllTextAsync(
            Path.Combine(configDirectory, "config.json"),
            config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }),
            cancellationToken).ConfigureAwait(false);

        var environment = new Dictionary<string, string?>
        {
            ["HOST"] = Host,
            ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["CODE"] = confirmationCode, // null removes an inherited CODE
            ["DEBUG"] = null, // any value switches cognito-local to debug logging
            ["COGNITO_LOCAL_DEVMODE"] = null,
            ["AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE"] = "1",
        };

        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var clock = Stopwatch.StartNew();
        var launcher = EmulatorInstaller.ShippedScript(LauncherScript);
        var process = ChildProcess.Start("cognito", "node", [launcher, installer.CognitoLocalStartScript], output, workingDirectory,
            environment);
        return await process.ReadyOrStopAsync(async () =>
        {
            await process.WaitUntilAnsweringAsync("cognito-local", $"http://{Host}:{port}/health", limit,
                cancellationToken).ConfigureAwait(false);
            return new CognitoLocal(process, port, workingDirectory, clock.Elapsed);
        }).ConfigureAwait(false);
    }

    /// <summary>The configuration written to <c>.cognito/config.json</c>.</summary>
    public static JsonObject BuildConfig(int port, string? lambdaEndpoint, IReadOnlyDictionary<string, string> triggerFunctions)
    {
        var lambdaClient = new JsonObject
        {
            ["region"] = "local",
            ["credentials"] = new JsonObject { ["accessKeyId"] = "local", ["secretAccessKey"] = "local" },
            // aws-sdk v2 retries a 5xx or network error 3 times, which would run a trigger up to 4 times.
            ["maxRetries"] = 0,
        };
        if (lambdaEndpoint is not null)
        {
            lambdaClient["endpoint"] = lambdaEndpoint.TrimEnd('/');
        }
        var triggers = new JsonObject();
        foreach (var (trigger, function) in triggerFunctions)
        {
            triggers[trigger] = function;
        }
        return new JsonObject
        {
            ["LambdaClient"] = lambdaClient,
            ["TriggerFunctions"] = triggers,
            ["TokenConfig"] = new JsonObject { ["IssuerDomain"] = $"http://{Host}:{port}" },
            // cognito-local's default is ["email"], and CreateUserPool merges the request into it, so a pool could
            // never be made without email usernames; an empty default makes CreateUserPool take the request as given.
            ["UserPoolDefaults"] = new JsonObject { ["UsernameAttributes"] = new JsonArray() },
            ["ServerConfig"] = new JsonObject { ["hostname"] = Host, ["port"] = port },
        };
    }

    /// <summary>Stops cognito-local (its data stays in .cognito/db).</summary>
    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await Process.DisposeAsync().ConfigureAwait(false);
    }

    private static int FindFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
