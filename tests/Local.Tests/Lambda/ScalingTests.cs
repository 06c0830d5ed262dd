using System.Net;
using System.Text.Json;
using Serverless.Local.Lambda;

namespace Serverless.Local.Tests.Lambda;

/// <summary>
/// Lambda's scaling, with real processes: concurrent invocations run on instances of their own up to the function's
/// reservation or the account's unreserved pool, beyond which Lambda throttles (a synchronous caller gets 429, an
/// asynchronous event waits in the queue and runs once there is room), and idle instances are reclaimed.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ScalingTests : IAsyncLifetime
{
    private ShellFunctions functions = null!;

    public async Task InitializeAsync() => functions = await ShellFunctions.StartAsync();

    public async Task DisposeAsync() => await functions.DisposeAsync();

    [Fact]
    public async Task Concurrent_invocations_run_on_instances_of_their_own()
    {
        functions.Register("wide", ShellFunctions.Held);

        var first = functions.InvokeAsync("wide", "{}");
        var second = functions.InvokeAsync("wide", "{}");
        // Both hold their instance: they can only both have started on two.
        await functions.EventuallyAsync(() => Lines(functions, "wide", "started").Count == 2, "two invocations running at once");
        Assert.Equal(2, functions.Service.Pool("wide").Instances);
        functions.Release("wide");

        using var one = await first;
        using var two = await second;
        Assert.NotEqual(await PidAsync(one), await PidAsync(two));
        Assert.Equal(2, functions.Service.Pool("wide").PeakInstances);
    }

    [Fact]
    public async Task A_synchronous_invocation_beyond_the_reservation_is_throttled_as_Lambda_throttles_it()
    {
        functions.Register("reserved", ShellFunctions.Held, reservedConcurrency: 1);
        var holding = functions.InvokeAsync("reserved", "{}");
        await functions.EventuallyAsync(() => Lines(functions, "reserved", "started").Count == 1, "the first invocation running");

        using var throttled = await functions.InvokeAsync("reserved", "{}");

        await AssertThrottledAsync(throttled, "ReservedFunctionConcurrentInvocationLimitExceeded");
        Assert.Single(Lines(functions, "reserved", "started"));
        functions.Release("reserved");
        using var held = await holding;
        Assert.Equal(HttpStatusCode.OK, held.StatusCode);
    }

    [Fact]
    public async Task A_reservation_of_zero_throttles_every_invocation()
    {
        functions.Register("off", ShellFunctions.Held, reservedConcurrency: 0);

        using var throttled = await functions.InvokeAsync("off", "{}");

        await AssertThrottledAsync(throttled, "ReservedFunctionConcurrentInvocationLimitExceeded");
        Assert.Equal(0, functions.Service.Pool("off").PeakInstances);
    }

    [Fact]
    public async Task Functions_without_a_reservation_share_the_accounts_concurrency()
    {
        await using var account = await ShellFunctions.StartAsync(scaling: new ScalingSettings(1, ScalingSettings.DefaultIdleTimeout));
        account.Register("first", ShellFunctions.Held);
        account.Register("second", ShellFunctions.Held);
        var holding = account.InvokeAsync("first", "{}");
        await account.EventuallyAsync(() => Lines(account, "first", "started").Count == 1, "the first function running");

        using var throttled = await account.InvokeAsync("second", "{}");

        await AssertThrottledAsync(throttled, "ConcurrentInvocationLimitExceeded");
        account.Release("first");
        using var held = await holding;
        Assert.Equal(HttpStatusCode.OK, held.StatusCode);
    }

    [Fact]
    public async Task A_throttled_asynchronous_event_is_kept_and_runs_once_there_is_room()
    {
        functions.Register("queued", ShellFunctions.Held, reservedConcurrency: 1);
        var holding = functions.InvokeAsync("queued", "{}");
        await functions.EventuallyAsync(() => Lines(functions, "queued", "started").Count == 1, "the first invocation running");

        using var accepted = await functions.InvokeAsync("queued", """{"n":2}""", "Event");
        var eventId = accepted.Headers.GetValues("x-amzn-RequestId").Single();
        await functions.EventuallyAsync(() => functions.Log.Any(line => line.Contains($"{eventId} throttled")), "the event throttled");
        Assert.Single(Lines(functions, "queued", "started"));
        functions.Release("queued");

        await functions.EventuallyAsync(() => Lines(functions, "queued", "answered").Contains(eventId), "the event answered");
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(1, Lines(functions, "queued", "started").Count(id => id == eventId));
        Assert.DoesNotContain(functions.Log, line => line.Contains($"{eventId} failed"));
        using var held = await holding;
        Assert.Equal(HttpStatusCode.OK, held.StatusCode);
    }

    [Fact]
    public async Task An_idle_instance_is_stopped_after_the_idle_timeout_and_the_next_invocation_starts_a_new_one()
    {
        await using var shortIdle = await ShellFunctions.StartAsync(
            scaling: new ScalingSettings(ScalingSettings.DefaultAccountConcurrency, TimeSpan.FromMilliseconds(300)));
        shortIdle.Register("idle", ShellFunctions.Held);
        shortIdle.Release("idle");

        using var first = await shortIdle.InvokeAsync("idle", "{}");
        var pid = await PidAsync(first);
        await shortIdle.EventuallyAsync(() => shortIdle.Service.Pool("idle").Instances == 0 && !Directory.Exists($"/proc/{pid}"),
            "the idle instance stopped");
        using var second = await shortIdle.InvokeAsync("idle", "{}");

        Assert.NotEqual(pid, await PidAsync(second));
    }

    private static async Task AssertThrottledAsync(HttpResponseMessage response, string reason)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("TooManyRequestsException", response.Headers.GetValues("x-amzn-ErrorType").Single());
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(reason, body.GetProperty("Reason").GetString());
        Assert.Equal("User", body.GetProperty("Type").GetString());
        Assert.Equal("Rate Exceeded.", body.GetProperty("message").GetString());
    }

    private static List<string> Lines(ShellFunctions service, string function, string file)
    {
        var path = Path.Combine(service.PackageDirectory(function), file);
        return File.Exists(path) ? [.. File.ReadAllLines(path)] : [];
    }

    private static async Task<int> PidAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("pid").GetInt32();
}
