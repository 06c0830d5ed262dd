using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Serverless.Local.Installers;
using Serverless.Local.Processes;

namespace Serverless.Local.Emulators;

/// <summary>
/// s3rver (an S3 emulator) running as a child process on 127.0.0.1, keeping buckets and objects in a data folder, so
/// they survive restarts. It is started by <c>s3rver-launcher.js</c> (next to this assembly, in <c>Emulators/</c>),
/// which accepts any access key, addresses buckets path-style only, decodes <c>x-amz-copy-source</c> and gives multipart
/// objects their ETag as S3 does, and reports every object change on its standard output; each one is raised as
/// <see cref="ObjectChanged"/>.
/// <para>
/// What s3rver gets wrong compared with S3 (aws-chunked bodies, CORS) is covered by the S3 front the local cloud
/// publishes in front of it (<c>S3Front</c>); clients should not call <see cref="Endpoint"/> directly.
/// </para>
/// </summary>
public sealed partial class S3Local : IAsyncDisposable
{
    /// <summary>The only address s3rver listens on.</summary>
    public const string Host = "127.0.0.1";

    /// <summary>The launcher script, in <c>Emulators/</c> next to this assembly.</summary>
    public const string LauncherScript = "s3rver-launcher.js";

    private const string EventPrefix = "S3EVENT ";

    /// <summary>
    /// The node process's environment. s3rver hashes continuation tokens with an algorithm Node 17+ keeps in the legacy
    /// provider only: without it every truncated listing fails.
    /// </summary>
    private static readonly Dictionary<string, string?> NodeEnvironment = new()
    {
        ["NODE_OPTIONS"] = "--openssl-legacy-provider",
        ["DEBUG"] = null,
    };

    private S3Local(ChildProcess process, int port, string dataDirectory, TimeSpan startupTime)
    {
        Process = process;
        Port = port;
        DataDirectory = dataDirectory;
        StartupTime = startupTime;
    }

    /// <summary>Raised for every object created or removed, on a thread-pool thread, in the order s3rver reported them.
    /// An exception a handler throws is written to the output and otherwise ignored.</summary>
    public event Action<S3ObjectEvent>? ObjectChanged;

    /// <summary>The node process.</summary>
    public ChildProcess Process { get; }

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary>The folder holding one folder per bucket.</summary>
    public string DataDirectory { get; }

    /// <summary>The emulator's own endpoint, e.g. http://127.0.0.1:4568 (path-style addressing only).</summary>
    public string Endpoint => $"http://{Host}:{Port}";

    /// <summary>Time from starting node to the READY line.</summary>
    public TimeSpan StartupTime { get; }

    /// <summary>Installs s3rver if needed, starts it and waits until it listens.</summary>
    /// <param name="installer">Installs (once) and locates s3rver.</param>
    /// <param name="dataDirectory">Folder for buckets and objects; created when missing.</param>
    /// <param name="port">Port to listen on; 0 lets the operating system choose one (see <see cref="Port"/>).</param>
    /// <param name="output">Receives s3rver's output lines (errors only: it runs silent), prefixed with "[s3]".</param>
    /// <param name="timeout">How long to wait for it to listen; 30 s when null.</param>
    /// <param name="cancellationToken">Cancels the wait (and stops the process).</param>
    public static async Task<S3Local> StartAsync(
        EmulatorInstaller installer,
        string dataDirectory,
        int port = 0,
        Action<string>? output = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(installer);
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        await installer.InstallS3rverAsync(cancellationToken).ConfigureAwait(false);

        var script = EmulatorInstaller.ShippedScript(LauncherScript);
        dataDirectory = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(dataDirectory);

        S3Local? started = null;
        void OnLine(string line)
        {
            // Event lines are read here, not logged; the launcher writes nothing else on stdout but READY.
            var text = line[(line.IndexOf("] ", StringComparison.Ordinal) + 2)..];
            if (text.StartsWith(EventPrefix, StringComparison.Ordinal))
            {
                started?.Raise(text[EventPrefix.Length..], output);
            }
            else
            {
                output?.Invoke(line);
            }
        }

        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var clock = Stopwatch.StartNew();
        var process = ChildProcess.Start(
            "s3",
            "node",
            [script, installer.S3rverPackageDirectory, dataDirectory, port.ToString(CultureInfo.InvariantCulture)],
            OnLine,
            dataDirectory,
            NodeEnvironment);
        return await process.ReadyOrStopAsync(async () =>
        {
            var endpoint = await process.WaitForReadyLineAsync(limit, cancellationToken).ConfigureAwait(false);
            return started = new S3Local(process, new Uri(endpoint).Port, dataDirectory, clock.Elapsed);
        }).ConfigureAwait(false);
    }

    /// <summary>Stops s3rver (buckets and objects stay in the data folder).</summary>
    public ValueTask DisposeAsync() => Process.DisposeAsync();

    private void Raise(string json, Action<string>? output)
    {
        S3ObjectEvent? change;
        try
        {
            change = JsonSerializer.Deserialize(json, S3EventJson.Default.S3ObjectEvent);
        }
        catch (JsonException ex)
        {
            output?.Invoke($"[s3] unreadable event line ({ex.Message}): {json}");
            return;
        }
        if (change is null || ObjectChanged is not { } handlers)
        {
            return;
        }
        foreach (var handler in handlers.GetInvocationList().Cast<Action<S3ObjectEvent>>())
        {
            try
            {
                handler(change);
            }
            catch (Exception ex)
            {
                output?.Invoke($"[s3] an ObjectChanged handler failed on {change.EventName} {change.Bucket}/{change.Key}: {ex}");
            }
        }
    }

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
    [JsonSerializable(typeof(S3ObjectEvent))]
    private sealed partial class S3EventJson : JsonSerializerContext;
}
