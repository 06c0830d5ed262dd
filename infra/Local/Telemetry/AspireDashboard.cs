using System.Globalization;
using Serverless.Local.Installers;
using Serverless.Local.Processes;

namespace Serverless.Local.Telemetry;

/// <summary>
/// The standalone Aspire dashboard as a child process on 127.0.0.1: its web frontend (<see cref="Url"/>), its OTLP/HTTP
/// endpoint (<see cref="OtlpEndpoint"/>, which <see cref="LocalTelemetry"/> feeds) and no OTLP/gRPC one. Being on loopback
/// only, it runs unsecured (<c>ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS</c>): no browser token to copy, and its telemetry
/// API (<c>/api/telemetry/spans</c>, <c>/logs</c>, <c>/traces</c>) open to local tools and tests. It is self-contained
/// (its own .NET), so it does not depend on the SDK the local cloud runs on.
/// </summary>
public sealed class AspireDashboard : IAsyncDisposable
{
    private AspireDashboard(ChildProcess process, string url, string otlpEndpoint)
    {
        Process = process;
        Url = url;
        OtlpEndpoint = otlpEndpoint;
    }

    public ChildProcess Process { get; }

    /// <summary>The web frontend, e.g. http://127.0.0.1:18888.</summary>
    public string Url { get; }

    /// <summary>The OTLP/HTTP base URL (<c>/v1/traces</c>, <c>/v1/logs</c>, <c>/v1/metrics</c> under it).</summary>
    public string OtlpEndpoint { get; }

    /// <summary>Installs the dashboard if needed, starts it and waits until both its endpoints listen.</summary>
    /// <param name="port">The frontend's port; 0 picks a free one. The OTLP endpoint always takes a free one.</param>
    public static async Task<AspireDashboard> StartAsync(EmulatorInstaller installer, int port, Action<string>? output = null,
        CancellationToken cancellationToken = default)
    {
        await installer.InstallAspireDashboardAsync(cancellationToken).ConfigureAwait(false);
        var process = ChildProcess.Start("dashboard", installer.AspireDashboardExecutable, [], output, installer.AspireDashboardDirectory,
            new Dictionary<string, string?>
            {
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
                ["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = "http://127.0.0.1:0",
                ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = null,
                ["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true",
                // Nothing of the caller's environment may send the dashboard's own telemetry anywhere or change its mode.
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = null,
                ["ASPNETCORE_ENVIRONMENT"] = null,
                ["DOTNET_ENVIRONMENT"] = null,
                ["DOTNET_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = null,
                ["DOTNET_DASHBOARD_OTLP_ENDPOINT_URL"] = null,
            });
        return await process.ReadyOrStopAsync(async () =>
        {
            var limit = TimeSpan.FromSeconds(60);
            var otlp = Listening(await process.WaitForOutputAsync(line => line.Contains("OTLP/HTTP listening on: "), limit,
                cancellationToken).ConfigureAwait(false));
            var url = Listening(await process.WaitForOutputAsync(line => line.Contains("Now listening on: "), limit,
                cancellationToken).ConfigureAwait(false));
            return new AspireDashboard(process, url, otlp);
        }).ConfigureAwait(false);
    }

    /// <summary>The URL at the end of a "… listening on: http://127.0.0.1:port" line.</summary>
    private static string Listening(string line) => line[(line.LastIndexOf(": ", StringComparison.Ordinal) + 2)..].Trim().TrimEnd('/');

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
