using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Local.Schedules;
using Serverless.Local.Template;

namespace Serverless.Local.Tests.Schedules;

/// <summary>
/// The local scheduler: a template's <c>Schedule</c> event becomes a rule that invokes its function asynchronously with
/// EventBridge's Scheduled Event at each firing, and stops when disposed.
/// </summary>
public sealed class SchedulerTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_repositorys_sweeper_is_scheduled_every_5_minutes()
    {
        var template = SamTemplate.Load(Path.Combine(LocalCloudOptions.FindRepoRoot(AppContext.BaseDirectory), "template.yaml"));
        var (logicalId, eventName, properties) = Assert.Single(template.FunctionEvents("Schedule"));

        var rule = ScheduleRule.From("serverless-local-Sweep", logicalId, eventName, "Schedule", properties, Now)!;

        Assert.Equal("SweepStrandedUploadsFunction", logicalId);
        Assert.Equal("rate(5 minutes)", rule.Expression.ToString());
        Assert.Equal(Now.AddMinutes(5), rule.Expression.NextAfter(Now));
        Assert.StartsWith("arn:aws:events:us-east-1:000000000000:rule/serverless-local-SweepStrandedUploadsFunctionSweep-", rule.Arn);
    }

    [Fact]
    public void The_payload_is_EventBridges_Scheduled_Event_for_the_rule_at_the_scheduled_time()
    {
        var rule = ScheduleRule.From("Fn", "Fn", "Every", "Schedule", new JsonObject { ["Schedule"] = "rate(1 hour)" }, Now)!;

        var payload = rule.Payload(Now.AddHours(1)).AsObject();

        Assert.Equal(["version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"],
            payload.Select(pair => pair.Key));
        Assert.Equal("0", payload["version"]!.GetValue<string>());
        Assert.True(Guid.TryParse(payload["id"]!.GetValue<string>(), out _));
        Assert.Equal("Scheduled Event", payload["detail-type"]!.GetValue<string>());
        Assert.Equal("aws.events", payload["source"]!.GetValue<string>());
        Assert.Equal("000000000000", payload["account"]!.GetValue<string>());
        Assert.Equal("2026-12-07T13:00:00Z", payload["time"]!.GetValue<string>());
        Assert.Equal("us-east-1", payload["region"]!.GetValue<string>());
        Assert.Equal([rule.Arn], payload["resources"]!.AsArray().Select(arn => arn!.GetValue<string>()));
        Assert.Empty(payload["detail"]!.AsObject());
    }

    [Fact]
    public void An_events_Input_is_the_payload_and_a_disabled_event_has_no_rule()
    {
        var withInput = ScheduleRule.From("Fn", "Fn", "Every", "ScheduleV2",
            new JsonObject { ["ScheduleExpression"] = "rate(1 hour)", ["Input"] = """{"sweep": true}""" }, Now)!;

        Assert.Equal("""{"sweep":true}""", withInput.Payload(Now).ToJsonString());
        Assert.StartsWith("arn:aws:scheduler:", withInput.Arn);
        Assert.Null(ScheduleRule.From("Fn", "Fn", "Off", "Schedule",
            new JsonObject { ["Schedule"] = "rate(1 hour)", ["Enabled"] = false }, Now));
        Assert.Null(ScheduleRule.From("Fn", "Fn", "Off", "ScheduleV2",
            new JsonObject { ["ScheduleExpression"] = "rate(1 hour)", ["State"] = "DISABLED" }, Now));
    }

    [Fact]
    public async Task A_rule_invokes_its_function_asynchronously_when_it_fires_and_disposing_stops_it()
    {
        var invoked = new ConcurrentQueue<(string Function, byte[] Payload)>();
        var fired = new TaskCompletionSource();
        // A rate made a minute ago less 300 ms fires 300 ms from now, then a minute later.
        var created = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1) + TimeSpan.FromMilliseconds(300);
        var rule = ScheduleRule.From("SweepFn", "Fn", "Every", "Schedule", new JsonObject { ["Schedule"] = "rate(1 minute)" }, created)!;
        var log = new ConcurrentQueue<string>();

        var scheduler = Scheduler.Start([rule], (function, payload) =>
        {
            invoked.Enqueue((function, payload));
            fired.TrySetResult();
            return "request-1";
        }, TimeProvider.System, log.Enqueue);
        await fired.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var stopping = Stopwatch.StartNew();
        await scheduler.DisposeAsync();

        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(10), $"Disposing took {stopping.Elapsed}");
        var (function, payload) = Assert.Single(invoked);
        Assert.Equal("SweepFn", function);
        var scheduled = JsonDocument.Parse(Encoding.UTF8.GetString(payload)).RootElement;
        Assert.Equal("Scheduled Event", scheduled.GetProperty("detail-type").GetString());
        Assert.Equal(rule.Arn, scheduled.GetProperty("resources")[0].GetString());
        Assert.Contains(log, line => line.Contains($"{rule.Name} fired") && line.Contains("request-1"));
    }
}
