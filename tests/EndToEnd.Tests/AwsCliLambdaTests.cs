using System.Text;
using System.Text.Json;
using Serverless.Local;

namespace Serverless.EndToEnd.Tests;

/// <summary><c>aws lambda invoke</c> (the real AWS CLI) against the local cloud's Invoke API.</summary>
[Collection(LocalCloudCollection.Name)]
public sealed class AwsCliLambdaTests(LocalCloudFixture cloud) : IDisposable
{
    private static readonly string Events = Path.Combine(LocalCloudOptions.FindRepoRoot(AppContext.BaseDirectory), "events");
    private readonly string outFile = Path.Combine(Path.GetTempPath(), $"lambda-out-{Guid.NewGuid():N}.json");

    public void Dispose() => File.Delete(outFile);

    [Fact]
    public async Task Log_type_Tail_returns_the_invocations_log_in_LogResult()
    {
        var (exitCode, output, error) = await InvokeAsync("ProfileApiFunction", Path.Combine(Events, "ProfileApiFunction",
            "get-health.json"), "--log-type", "Tail");

        Assert.True(exitCode == 0, error);
        var answer = JsonDocument.Parse(output).RootElement;
        Assert.Equal(200, answer.GetProperty("StatusCode").GetInt32());
        Assert.Equal("$LATEST", answer.GetProperty("ExecutedVersion").GetString());
        var log = Encoding.UTF8.GetString(Convert.FromBase64String(answer.GetProperty("LogResult").GetString()!));
        var lines = log.TrimEnd('\n').Split('\n').Select(line => JsonDocument.Parse(line).RootElement).ToList(); // LogFormat: JSON
        Assert.True(Encoding.UTF8.GetByteCount(log) <= 4096);
        var report = lines[^1];
        Assert.Equal("platform.report", report.GetProperty("type").GetString());
        Assert.Equal(512, report.GetProperty("record").GetProperty("metrics").GetProperty("memorySizeMB").GetInt32());
        Assert.Equal(200, JsonDocument.Parse(await File.ReadAllTextAsync(outFile)).RootElement.GetProperty("statusCode").GetInt32());
    }

    [Fact]
    public async Task Without_log_type_there_is_no_LogResult()
    {
        var (exitCode, output, error) = await InvokeAsync("ProfileApiFunction", Path.Combine(Events, "ProfileApiFunction",
            "get-health.json"));

        Assert.True(exitCode == 0, error);
        Assert.False(JsonDocument.Parse(output).RootElement.TryGetProperty("LogResult", out _));
    }

    [Fact]
    public async Task A_function_error_shows_as_FunctionError_with_its_log_tail()
    {
        var badEvent = Path.Combine(Path.GetTempPath(), $"bad-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(badEvent, """{"triggerSource":"PostConfirmation_ConfirmSignUp","request":{}}""");
        try
        {
            var (exitCode, output, error) = await InvokeAsync("CreateProfileFunction", badEvent, "--log-type", "Tail");

            Assert.True(exitCode == 0, error);
            var answer = JsonDocument.Parse(output).RootElement;
            Assert.Equal("Unhandled", answer.GetProperty("FunctionError").GetString());
            var log = Encoding.UTF8.GetString(Convert.FromBase64String(answer.GetProperty("LogResult").GetString()!));
            Assert.Contains("\"status\":\"error\"", log);
        }
        finally
        {
            File.Delete(badEvent);
        }
    }

    [Fact]
    public async Task Event_is_202_DryRun_is_204_and_an_unknown_function_is_ResourceNotFoundException()
    {
        var sample = Path.Combine(Events, "ProfileApiFunction", "get-health.json");

        var (_, asynchronous, _) = await InvokeAsync("ProfileApiFunction", sample, "--invocation-type", "Event");
        var (_, dryRun, _) = await InvokeAsync("ProfileApiFunction", sample, "--invocation-type", "DryRun");
        var (exitCode, _, error) = await InvokeAsync("NoSuchFunction", sample);

        Assert.Equal(202, JsonDocument.Parse(asynchronous).RootElement.GetProperty("StatusCode").GetInt32());
        Assert.Equal(204, JsonDocument.Parse(dryRun).RootElement.GetProperty("StatusCode").GetInt32());
        Assert.NotEqual(0, exitCode);
        Assert.Contains("ResourceNotFoundException", error);
    }

    private Task<(int ExitCode, string Output, string Error)> InvokeAsync(string function, string payloadFile, params string[] more) =>
        AwsCli.RunAsync(["lambda", "invoke", "--endpoint-url", cloud.Output("LambdaEndpoint"), "--function-name", function,
            "--cli-binary-format", "raw-in-base64-out", "--payload", $"fileb://{payloadFile}", .. more, outFile]);
}
