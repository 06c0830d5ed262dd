using System.Net;
using System.Text.Json;
using Serverless.Local.Lambda;
using Serverless.Local.Template;

namespace Serverless.Local.Tests.Lambda;

/// <summary>
/// Lambda's quotas, enforced as Lambda enforces them, with real processes: request payloads (6 MB synchronous, 1 MB
/// asynchronous) refused before any instance sees them, a response over 6 MB failing the invocation, a process over its
/// memory size killed, and the timeout and memory size read from the template.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class QuotaTests : IAsyncLifetime
{
    private ShellFunctions functions = null!;

    public async Task InitializeAsync() => functions = await ShellFunctions.StartAsync();

    public async Task DisposeAsync() => await functions.DisposeAsync();

    [Fact]
    public async Task A_synchronous_payload_over_6_MB_is_refused_with_413_before_any_instance_starts()
    {
        functions.Register("sync", ShellFunction.Answering(""));

        using var refused = await functions.InvokeAsync("sync", JsonString(PayloadLimits.Synchronous - 1));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Equal("RequestEntityTooLargeException", refused.Headers.GetValues("x-amzn-ErrorType").Single());
        Assert.Equal("Request must be smaller than 6291456 bytes for the InvokeFunction operation",
            (await BodyAsync(refused)).GetProperty("Message").GetString());
        Assert.Equal(0, functions.Service.Pool("sync").PeakInstances);
    }

    [Fact]
    public async Task An_asynchronous_payload_over_1_MB_is_refused_and_one_of_1_MB_is_queued()
    {
        functions.Register("async", ShellFunction.Answering(""));

        using var refused = await functions.InvokeAsync("async", JsonString(PayloadLimits.Asynchronous - 1), "Event");
        using var accepted = await functions.InvokeAsync("async", JsonString(PayloadLimits.Asynchronous - 2), "Event");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Equal("RequestEntityTooLargeException", refused.Headers.GetValues("x-amzn-ErrorType").Single());
        var body = await BodyAsync(refused);
        Assert.Equal("1048577 byte payload is too large for the Event invocation type (limit 1048576 bytes)",
            body.GetProperty("message").GetString());
        Assert.Equal("User", body.GetProperty("Type").GetString());
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
    }

    [Fact]
    public async Task A_response_over_6_MB_fails_the_invocation_with_Function_ResponseSizeTooLarge_and_the_runtime_gets_413()
    {
        functions.Register("big", $$"""
            {{ShellFunctions.Next}}
            { printf '"'; head -c 6300000 /dev/zero | tr '\0' a; printf '"'; } > answer
            curl -s -o "$PACKAGE_DIR/runtime-answer" -w '%{http_code}' --data-binary @answer \
              "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$id/response" > "$PACKAGE_DIR/runtime-status"
            sleep 30
            """);

        using var response = await functions.InvokeAsync("big", "{}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Unhandled", response.Headers.GetValues("X-Amz-Function-Error").Single());
        var error = await BodyAsync(response);
        Assert.Equal("Function.ResponseSizeTooLarge", error.GetProperty("errorType").GetString());
        Assert.Equal("Response payload size (6300002 bytes) exceeded maximum allowed payload size (6291556 bytes).",
            error.GetProperty("errorMessage").GetString());
        var status = Path.Combine(functions.PackageDirectory("big"), "runtime-status");
        await functions.EventuallyAsync(() => File.Exists(status) && File.ReadAllText(status) == "413", "the runtime's 413");
        var runtimeAnswer = JsonDocument.Parse(File.ReadAllText(Path.Combine(functions.PackageDirectory("big"), "runtime-answer")));
        Assert.Equal("RequestEntityTooLarge", runtimeAnswer.RootElement.GetProperty("errorType").GetString());
        Assert.Equal("Exceeded maximum allowed payload size (6291556 bytes).",
            runtimeAnswer.RootElement.GetProperty("errorMessage").GetString());
    }

    [Fact]
    public async Task A_process_over_its_memory_size_is_killed_and_reported_as_Runtime_OutOfMemory()
    {
        // Bash keeps the whole output of the substitution in memory: 300 MB, well over the function's 128 MB.
        functions.Register("hungry", $$"""
            {{ShellFunctions.Next}}
            echo $$ > "$PACKAGE_DIR/pid"
            big=$(head -c 300000000 /dev/zero | tr '\0' a)
            sleep 30
            """, timeout: TimeSpan.FromSeconds(60), memorySize: 128);

        using var response = await functions.InvokeAsync("hungry", "{}");

        Assert.Equal("Unhandled", response.Headers.GetValues("X-Amz-Function-Error").Single());
        var error = await BodyAsync(response);
        var requestId = response.Headers.GetValues("x-amzn-RequestId").Single();
        Assert.Equal("Runtime.OutOfMemory", error.GetProperty("errorType").GetString());
        Assert.Equal($"RequestId: {requestId} Error: Runtime exited with error: signal: killed",
            error.GetProperty("errorMessage").GetString());
        Assert.Contains(functions.Log, line => line.StartsWith($"REPORT RequestId: {requestId}\t", StringComparison.Ordinal)
            && line.Contains("\tMemory Size: 128 MB\t", StringComparison.Ordinal)
            && line.Contains("\tStatus: error\tError Type: Runtime.OutOfMemory", StringComparison.Ordinal));
        var pid = File.ReadAllText(Path.Combine(functions.PackageDirectory("hungry"), "pid")).Trim();
        await functions.EventuallyAsync(() => !Directory.Exists($"/proc/{pid}"), "the process killed");
    }

    [Fact]
    public void The_timeout_and_memory_size_come_from_the_template_its_Globals_or_Lambdas_defaults()
    {
        var template = SamTemplate.Load(LocalCloudOptions.FindRepoRoot(AppContext.BaseDirectory) + "/template.yaml");
        var resolver = OfflineValues.Resolver(template);
        FunctionDefinition Define(string function) =>
            FunctionDefinitions.Define(template, resolver, function, "/var/task", new Dictionary<string, string>());

        var processUpload = Define("ProcessUploadFunction");
        var profile = Define("ProfileApiFunction");

        Assert.Equal((TimeSpan.FromSeconds(900), 1024), (processUpload.Timeout, processUpload.MemorySize));
        Assert.Equal((TimeSpan.FromSeconds(10), 512), (profile.Timeout, profile.MemorySize));
        Assert.Null(processUpload.ReservedConcurrency);
        Assert.Equal($"0x{512L * 1024 * 1024 * 3 / 4:X}", profile.Environment["DOTNET_GCHeapHardLimit"]);
    }

    /// <summary>A JSON string of <paramref name="characters"/> letters: that many bytes and its two quotes.</summary>
    private static string JsonString(int characters) => '"' + new string('a', characters) + '"';

    private static async Task<JsonElement> BodyAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
}
