using System.Diagnostics;
using System.Net;
using System.Text;

namespace Serverless.ModelServer.Tests;

/// <summary>The server as the local cloud runs it: a child process that prints its address once it listens.</summary>
public sealed class ProcessTests
{
    [Fact]
    public async Task Started_as_a_process_it_prints_READY_and_answers()
    {
        var lexicon = await TestLexicon.PathAsync();
        var dll = Path.Combine(AppContext.BaseDirectory, "Serverless.ModelServer.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { dll, "--urls", "http://127.0.0.1:0", "--ModelServer:Endpoints=sentiment-local" })
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["ModelServer__LexiconPath"] = lexicon;
        using var process = Process.Start(start)!;
        var errors = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (errors) { errors.AppendLine(e.Data); } };
        process.BeginErrorReadLine();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            string? address = null;
            while (address is null)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException($"exited before READY: {errors}");
                if (line.StartsWith("READY ", StringComparison.Ordinal))
                {
                    address = line["READY ".Length..];
                }
            }
            _ = DrainAsync(process.StandardOutput);

            Assert.StartsWith("http://127.0.0.1:", address, StringComparison.Ordinal);
            using var client = new HttpClient { BaseAddress = new Uri(address) };
            using var ping = await client.GetAsync("/ping");
            Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
            using var invoke = await client.PostAsync(
                "/endpoints/sentiment-local/invocations",
                new StringContent("""{"inputs": "VADER is smart, handsome, and funny."}""", Encoding.UTF8, "application/json"));
            Assert.Equal("""[{"label":"POSITIVE","score":0.9158}]""", await invoke.Content.ReadAsStringAsync());
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Theory]
    [InlineData("http://0.0.0.0:0")]
    [InlineData("http://192.0.2.1:8080")]
    public async Task It_refuses_to_listen_beyond_loopback(string url)
    {
        var lexicon = await TestLexicon.PathAsync();

        var error = Assert.Throws<ArgumentException>(() =>
            ModelServerApp.Create(["--urls", url, $"--ModelServer:LexiconPath={lexicon}"]));

        Assert.Contains("loopback", error.Message, StringComparison.Ordinal);
    }

    private static async Task DrainAsync(StreamReader reader)
    {
        try
        {
            while (await reader.ReadLineAsync() is not null)
            {
            }
        }
        catch (ObjectDisposedException)
        {
        }
        catch (IOException)
        {
        }
    }
}
