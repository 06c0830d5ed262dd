using System.Diagnostics;
using System.Text.Json;
using Serverless.Local;
using Xunit.Abstractions;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// <c>dotnet run --project infra/Local</c> stopped as a process manager or Ctrl+C stops it: SIGTERM ends the local cloud
/// and every process it started (emulators, model server, function instances, their children). In the local cloud's
/// collection so that its fixture has built the packages before this cloud starts.
/// </summary>
[Collection(LocalCloudCollection.Name)]
public sealed class StopTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Marks every process the local cloud starts: children inherit the environment, even once orphaned.</summary>
    private const string MarkerVariable = "SERVERLESS_STOP_TEST";

    private readonly string state = Path.Combine(Path.GetTempPath(), "serverless-stop-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string marker = Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Sigterm_stops_the_local_cloud_and_every_process_it_started()
    {
        using var cloud = StartLocalCloud();
        using var http = new HttpClient();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cloud.OutputDataReceived += (_, line) =>
        {
            if (line.Data?.StartsWith("Ctrl+C stops everything", StringComparison.Ordinal) == true) ready.TrySetResult();
        };
        cloud.BeginOutputReadLine();
        cloud.BeginErrorReadLine();
        await Task.WhenAny(ready.Task, cloud.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(10)));
        Assert.True(ready.Task.IsCompleted, "The local cloud was not ready within 10 minutes.");
        // A warm function instance too, waiting in its long poll for the next invocation.
        using var health = await http.GetAsync(ApiUrl() + "/health");
        health.EnsureSuccessStatusCode();
        var started = MarkedProcesses();
        // The local cloud, DynamoDB Local, cognito-local, s3rver, the model server and the function instance at least.
        Assert.True(started.Count >= 6, $"Expected the local cloud's processes, found {string.Join(", ", started)}");
        Assert.Contains(started, process => process.Command == "java");

        var clock = Stopwatch.StartNew();
        _ = Kill(cloud.Id, SigTerm);
        // A generous guard against a hang, not a timing assertion: the time is printed.
        for (var waited = Stopwatch.StartNew(); MarkedProcesses().Count > 0 || !cloud.HasExited;)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30),
                $"Still running 30 s after SIGTERM: {string.Join(", ", MarkedProcesses())}");
            await Task.Delay(20);
        }
        output.WriteLine($"SIGTERM to all {started.Count} processes gone ({string.Join(", ", started.Select(p => p.Command))}): "
            + $"{clock.Elapsed.TotalSeconds:0.00} s");
        Assert.Equal(0, cloud.ExitCode);
    }

    private Process StartLocalCloud()
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Serverless.Local.dll"),
            "--packaged", "--free-ports", "--state-dir", state])
        {
            WorkingDirectory = LocalCloudOptions.FindRepoRoot(AppContext.BaseDirectory),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment[MarkerVariable] = marker;
        return Process.Start(start)!;
    }

    private string ApiUrl() => JsonDocument.Parse(File.ReadAllText(Path.Combine(state, "outputs.json"))).RootElement.EnumerateArray()
        .Single(item => item.GetProperty("OutputKey").GetString() == "ApiUrl").GetProperty("OutputValue").GetString()!;

    /// <summary>The live processes (zombies are gone) whose environment carries this test's marker.</summary>
    private List<(int Pid, string Command)> MarkedProcesses()
    {
        var found = new List<(int, string)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid)) continue;
            try
            {
                if (!File.ReadAllText(Path.Combine(directory, "environ")).Contains($"{MarkerVariable}={marker}")) continue;
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                if (stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z')) continue;
                found.Add((pid, File.ReadAllText(Path.Combine(directory, "comm")).Trim()));
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // Ended while being read.
            }
        }
        return found;
    }

    public void Dispose()
    {
        if (Directory.Exists(state)) Directory.Delete(state, recursive: true);
    }

    private const int SigTerm = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
}
