using System.Globalization;
using Serverless.Local.Installers;
using Serverless.Local.Lambda;
using Serverless.Local.Processes;

namespace Serverless.Local.Emulators;

/// <summary>
/// The local SageMaker real-time endpoint (infra/ModelServer, VADER sentiment) running as a child process on
/// 127.0.0.1. Its build output, <c>Serverless.ModelServer.dll</c>, sits next to the local cloud's own assembly
/// (Local.csproj references ModelServer.csproj), and is started with <c>dotnet</c>. It loads the lexicon the
/// <see cref="EmulatorInstaller"/> installed, prints its READY line (<see cref="ChildProcess.WaitForReadyLineAsync"/>)
/// once it listens, and answers <c>GET /ping</c>.
/// </summary>
public sealed class LocalModelServer : IAsyncDisposable
{
    /// <summary>The model server's assembly, in the local cloud's own folder.</summary>
    public const string AssemblyFile = "Serverless.ModelServer.dll";

    private LocalModelServer(ChildProcess process, string endpoint, string endpointName)
    {
        Process = process;
        Endpoint = endpoint;
        EndpointName = endpointName;
    }

    /// <summary>The dotnet process.</summary>
    public ChildProcess Process { get; }

    /// <summary>The base URL, e.g. http://127.0.0.1:8080 (<c>--endpoint-url</c> of <c>aws sagemaker-runtime</c>).</summary>
    public string Endpoint { get; }

    /// <summary>The endpoint name served (InvokeEndpoint's EndpointName).</summary>
    public string EndpointName { get; }

    /// <summary>Installs the lexicon if needed, starts the model server and waits until <c>/ping</c> answers.</summary>
    /// <param name="installer">Installs (once) and locates the VADER lexicon.</param>
    /// <param name="endpointName">The endpoint name to serve (several: comma-separated); any other name gets ValidationError, as
    /// in SageMaker.</param>
    /// <param name="port">Port on 127.0.0.1; 0 picks a free one (read from the READY line).</param>
    /// <param name="output">Receives the server's output lines, prefixed with "[model]".</param>
    /// <param name="timeout">How long to wait for it to answer; 30 s when null.</param>
    /// <param name="cancellationToken">Cancels the wait (and stops the process).</param>
    public static async Task<LocalModelServer> StartAsync(
        EmulatorInstaller installer,
        string endpointName,
        int port = 0,
        Action<string>? output = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(installer);
        ArgumentException.ThrowIfNullOrWhiteSpace(endpointName);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        var lexicon = await installer.InstallVaderLexiconAsync(cancellationToken).ConfigureAwait(false);

        var assembly = Path.Combine(AppContext.BaseDirectory, AssemblyFile);
        if (!File.Exists(assembly))
        {
            throw new FileNotFoundException(
                $"{AssemblyFile} is not next to the local cloud ({AppContext.BaseDirectory}): "
                    + "build infra/Local, which references infra/ModelServer.",
                assembly);
        }
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var process = ChildProcess.Start(
            "model",
            "dotnet",
            [
                assembly,
                "--urls", $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
                $"--ModelServer:Endpoints={endpointName}",
                $"--ModelServer:LexiconPath={lexicon}",
                $"--ModelServer:AccessKey={LocalAccount.AccessKeyId}",
                $"--ModelServer:SecretKey={LocalAccount.SecretAccessKey}",
            ],
            output,
            AppContext.BaseDirectory,
            new Dictionary<string, string?>
            {
                ["ASPNETCORE_ENVIRONMENT"] = null,
                ["ASPNETCORE_URLS"] = null,
                ["DOTNET_ENVIRONMENT"] = null,
            });
        return await process.ReadyOrStopAsync(async () =>
        {
            var endpoint = await process.WaitForReadyLineAsync(limit, cancellationToken).ConfigureAwait(false);
            await process.WaitUntilAnsweringAsync("The model server", endpoint + "/ping", limit, cancellationToken).ConfigureAwait(false);
            return new LocalModelServer(process, endpoint, endpointName);
        }).ConfigureAwait(false);
    }

    /// <summary>Stops the process.</summary>
    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
