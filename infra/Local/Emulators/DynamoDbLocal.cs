using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Serverless.Local.Installers;
using Serverless.Local.Processes;

namespace Serverless.Local.Emulators;

/// <summary>
/// AWS DynamoDB Local running as a child process, bound to 127.0.0.1 only (through the
/// <c>LoopbackDynamoDbLocal</c> launcher), in memory unless a data folder is given, with <c>-sharedDb</c>.
/// <para>
/// Why <c>-sharedDb</c>: without it DynamoDB Local keeps one database per access key and region, so the local
/// functions, a seeding script and a developer's AWS CLI (whose profile has other keys or another region) would
/// each see different, empty tables. With it every client sees the same tables whatever credentials it signs
/// with. DynamoDB Local never checks signatures, but the access key must still be alphanumeric
/// (<see cref="AccessKeyId"/> is a safe choice).
/// </para>
/// </summary>
public sealed class DynamoDbLocal : IAsyncDisposable
{
    /// <summary>The only address DynamoDB Local listens on.</summary>
    public const string Host = "127.0.0.1";

    /// <summary>An access key id DynamoDB Local accepts (it must be alphanumeric; the secret can be anything).</summary>
    public const string AccessKeyId = "local";

    /// <summary>A secret key to pair with <see cref="AccessKeyId"/>.</summary>
    public const string SecretAccessKey = "local";

    private DynamoDbLocal(ChildProcess process, int port, TimeSpan startupTime)
    {
        Process = process;
        Port = port;
        StartupTime = startupTime;
    }

    /// <summary>The java process.</summary>
    public ChildProcess Process { get; }

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary>The service URL, e.g. http://127.0.0.1:8000 (AmazonDynamoDBConfig.ServiceURL, aws --endpoint-url).</summary>
    public string Endpoint => $"http://{Host}:{Port}";

    /// <summary>Time from starting java to the first successful ListTables.</summary>
    public TimeSpan StartupTime { get; }

    /// <summary>Installs DynamoDB Local if needed, starts it and waits until a ListTables call succeeds.</summary>
    /// <param name="installer">Installs (once) and locates DynamoDB Local and the launcher.</param>
    /// <param name="port">Port to listen on; 0 lets the operating system choose one (see <see cref="Port"/>).</param>
    /// <param name="dataDirectory">Folder for the database file (shared-local-instance.db); null keeps everything in memory.</param>
    /// <param name="output">Receives DynamoDB Local's output lines, prefixed with "[dynamodb]".</param>
    /// <param name="maxHeap">The JVM's -Xmx value.</param>
    /// <param name="timeout">How long to wait for it to answer; 60 s when null.</param>
    /// <param name="cancellationToken">Cancels the wait (and stops the process).</param>
    public static async Task<DynamoDbLocal> StartAsync(
        EmulatorInstaller installer,
        int port = 0,
        string? dataDirectory = null,
        Action<string>? output = null,
        string maxHeap = "256m",
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(installer);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        await installer.InstallDynamoDbLocalAsync(cancellationToken).ConfigureAwait(false);

        var limit = timeout ?? TimeSpan.FromSeconds(60);
        var clock = Stopwatch.StartNew();
        var process = ChildProcess.Start("dynamodb", "java", JavaArguments(installer, port, dataDirectory, maxHeap), output,
            installer.DynamoDbLocalDirectory);
        return await process.ReadyOrStopAsync(async () =>
        {
            var endpoint = await process.WaitForReadyLineAsync(limit, cancellationToken).ConfigureAwait(false);
            await process.WaitUntilAnsweringAsync($"DynamoDB Local at {endpoint}", (http, token) => ListTablesAsync(http, endpoint, token),
                limit - clock.Elapsed, cancellationToken).ConfigureAwait(false);
            return new DynamoDbLocal(process, new Uri(endpoint).Port, clock.Elapsed);
        }).ConfigureAwait(false);
    }

    /// <summary>The java command line (JVM settings, then the launcher's and DynamoDB Local's options); creates the data folder.</summary>
    private static List<string> JavaArguments(EmulatorInstaller installer, int port, string? dataDirectory, string maxHeap)
    {
        var arguments = new List<string>
        {
            $"-Xmx{maxHeap}",
            // Measured here: G1 with the C1 compiler only starts faster and stays smaller (~100 MB RSS idle)
            // than the defaults (~115 MB) or the serial collector (~160 MB).
            "-XX:+UseG1GC",
            "-XX:TieredStopAtLevel=1",
            "-Djava.net.preferIPv4Stack=true",
            $"-Djava.library.path={installer.DynamoDbLocalLibraryDirectory}",
            "-cp",
            string.Join(Path.PathSeparator, installer.LauncherClassDirectory, installer.DynamoDbLocalJar),
            EmulatorInstaller.LauncherClass,
            "-host", Host,
            "-port", port.ToString(CultureInfo.InvariantCulture),
            "-sharedDb",
            "-exitOnStdinClose",
        };
        if (dataDirectory is null)
        {
            arguments.Add("-inMemory");
        }
        else
        {
            Directory.CreateDirectory(dataDirectory);
            arguments.Add("-dbPath");
            arguments.Add(Path.GetFullPath(dataDirectory));
        }
        return arguments;
    }

    /// <summary>Stops DynamoDB Local (in-memory data is gone).</summary>
    public ValueTask DisposeAsync() => Process.DisposeAsync();

    /// <summary>One ListTables call; null when it succeeds, else what it answered.</summary>
    private static async Task<string?> ListTablesAsync(HttpClient http, string endpoint, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint + "/");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "DynamoDB_20120810.ListTables");
        // DynamoDB Local reads the access key and region from the credential scope; it checks no signature.
        request.Headers.TryAddWithoutValidation(
            "Authorization",
            $"AWS4-HMAC-SHA256 Credential={AccessKeyId}/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0");
        request.Content = new StringContent("{}");
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.0");
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode && body.Contains("\"TableNames\"", StringComparison.Ordinal)
            ? null
            : $"ListTables answered {(int)response.StatusCode}: {body}";
    }
}
