using System.Diagnostics;
using System.Net;

namespace Serverless.Local.Processes;

// How the emulators wait for a child they started to be ready: it prints its READY line or answers a probe, or it is stopped.
public sealed partial class ChildProcess
{
    /// <summary>Runs <paramref name="ready"/> (the wait for this child to be ready); if it fails, stops the child and rethrows.</summary>
    public async Task<T> ReadyOrStopAsync<T>(Func<Task<T>> ready)
    {
        try
        {
            return await ready().ConfigureAwait(false);
        }
        catch
        {
            await DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Waits for the line each launcher here (DynamoDB Local's, s3rver's, the model server) prints once it listens,
    /// <c>READY http://127.0.0.1:&lt;port&gt;</c>, and answers the endpoint it names.
    /// </summary>
    public async Task<string> WaitForReadyLineAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var ready = await WaitForOutputAsync(line => line.StartsWith("READY http://", StringComparison.Ordinal), timeout,
            cancellationToken).ConfigureAwait(false);
        return ready["READY ".Length..].Trim().TrimEnd('/');
    }

    /// <summary>The failure of a wait the child's exit ended: its exit code and last output.</summary>
    private async Task<InvalidOperationException> ExitedBeforeReadyAsync() => new(
        $"{Name} exited with code {await Exited.ConfigureAwait(false)} before it was ready. Last output:{Environment.NewLine}"
        + DescribeRecentOutput());

    /// <summary>Waits until a GET of <paramref name="url"/> answers 200 OK.</summary>
    /// <param name="what">Names the server in the timeout's message.</param>
    public Task WaitUntilAnsweringAsync(string what, string url, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitUntilAnsweringAsync(what, async (http, token) =>
        {
            using var response = await http.GetAsync(url, token).ConfigureAwait(false);
            return response.StatusCode == HttpStatusCode.OK ? null : $"GET {url} answered {(int)response.StatusCode}";
        }, timeout, cancellationToken);

    /// <summary>Calls <paramref name="probe"/> every 50 ms until it returns null (ready); fails when the child exits first or
    /// <paramref name="timeout"/> passes, with the last problem the probe returned (or its connection error) and the
    /// child's last output.</summary>
    /// <param name="what">Names the server in the timeout's message.</param>
    /// <param name="probe">One attempt with an HttpClient (10 s per request); returns null when ready, else what is wrong.</param>
    public async Task WaitUntilAnsweringAsync(string what, Func<HttpClient, CancellationToken, Task<string?>> probe, TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var clock = Stopwatch.StartNew();
        string? lastProblem = null;
        while (true)
        {
            if (HasExited)
            {
                throw await ExitedBeforeReadyAsync().ConfigureAwait(false);
            }
            try
            {
                lastProblem = await probe(http, cancellationToken).ConfigureAwait(false);
                if (lastProblem is null)
                {
                    return;
                }
            }
            catch (HttpRequestException ex)
            {
                lastProblem = ex.Message;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                lastProblem = "no answer within 10 s";
            }
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException(
                    $"{what} did not answer in time ({lastProblem}). Last output:{Environment.NewLine}" + DescribeRecentOutput());
            }
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }
}
