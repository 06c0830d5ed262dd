using System.Diagnostics;
using System.Text.Json;
using Serverless.Local;
using Serverless.Local.Commands;
using Xunit.Abstractions;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// <c>invoke</c> with the local cloud running: the real bootstrap, run on its own, reaches the running emulators
/// (found through <c>outputs.json</c>), with events written by <c>generate-event</c>.
/// </summary>
[Collection(LocalCloudCollection.Name)]
public sealed class InvokeCommandTests(LocalCloudFixture cloud, ITestOutputHelper output)
{
    [Fact]
    public async Task A_profile_created_by_an_invoked_trigger_is_read_by_the_invoked_API()
    {
        var sub = Guid.NewGuid().ToString();
        var email = $"invoke-{sub[..8]}@example.com";
        var confirmation = Generate("cognito", "post-confirmation", "--sub", sub, "--email", email, "--user-pool-id",
            cloud.Output("UserPoolId"));
        var getMe = Generate("apigateway", "http-api-proxy", "--method", "GET", "--path", "/me", "--sub", sub);
        try
        {
            var (created, _, createLog) = await InvokeAsync("CreateProfileFunction", confirmation);
            var (read, answer, readLog) = await InvokeAsync("ProfileApiFunction", getMe);

            Assert.True(created == 0, createLog);
            Assert.Contains("Using the running local cloud", createLog);
            Assert.True(read == 0, readLog);
            var response = JsonDocument.Parse(answer).RootElement;
            Assert.Equal(200, response.GetProperty("statusCode").GetInt32());
            Assert.Equal(email, JsonDocument.Parse(response.GetProperty("body").GetString()!).RootElement.GetProperty("email").GetString());
            Assert.Contains("REPORT RequestId: ", readLog);
        }
        finally
        {
            File.Delete(confirmation);
            File.Delete(getMe);
        }
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> InvokeAsync(string function, string eventFile)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var watch = Stopwatch.StartNew();
        var exitCode = await InvokeCommand.RunAsync(cloud.Cloud.Options, [function, "--event", eventFile],
            TextWriter.Synchronized(stdout), TextWriter.Synchronized(stderr), CancellationToken.None);
        output.WriteLine($"invoke {function}: {watch.ElapsedMilliseconds} ms (exit {exitCode})");
        output.WriteLine(stderr.ToString());
        return (exitCode, stdout.ToString().Trim(), stderr.ToString());
    }

    private static string Generate(params string[] args)
    {
        var path = Path.Combine(Path.GetTempPath(), $"event-{Guid.NewGuid():N}.json");
        using (var file = File.CreateText(path))
            Assert.Equal(0, GenerateEventCommand.Run(Options, args, file, TimeProvider.System));
        return path;
    }

    private static readonly LocalCloudOptions Options = new(LocalCloudOptions.FindRepoRoot(AppContext.BaseDirectory));
}
