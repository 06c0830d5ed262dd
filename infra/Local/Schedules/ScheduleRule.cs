using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Serverless.Local.Lambda;

namespace Serverless.Local.Schedules;

/// <summary>
/// The rule behind a function's <c>Schedule</c> (EventBridge rule) or <c>ScheduleV2</c> (EventBridge Scheduler) event:
/// its name and ARN as SAM names the rule (<c>{stack}-{function}{event}-{suffix}</c>, here a fixed suffix), the
/// expression, and the payload the function gets: the event's <c>Input</c> when it has one, else an EventBridge
/// Scheduled Event. A disabled event (<c>Enabled: false</c>, <c>State: DISABLED</c>) has no rule.
/// </summary>
public sealed record ScheduleRule(string FunctionName, string Name, string Arn, ScheduleExpression Expression, string? Input)
{
    /// <summary>The rule of a resolved event's properties; null when it is disabled.</summary>
    /// <exception cref="FormatException">No expression, or one the local cloud does not run.</exception>
    public static ScheduleRule? From(string functionName, string logicalId, string eventName, string type, JsonObject properties,
        DateTimeOffset created)
    {
        if (properties["Enabled"]?.ToString() is "false" or "False" || properties["State"]?.ToString() == "DISABLED") return null;
        var expression = properties[type == "ScheduleV2" ? "ScheduleExpression" : "Schedule"]?.ToString()
            ?? throw new FormatException($"{logicalId}.{eventName}: a {type} event needs its schedule expression.");
        var suffix = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{logicalId}/{eventName}")))[..12];
        // A rule name has at most 64 characters: SAM shortens the stack and function part to make room for its suffix.
        var prefix = $"{LocalCloud.StackName}-{logicalId}{eventName}";
        var name = $"{prefix[..Math.Min(50, prefix.Length)]}-{suffix}";
        var service = type == "ScheduleV2" ? "scheduler" : "events";
        var kind = type == "ScheduleV2" ? "schedule/default" : "rule";
        return new ScheduleRule(functionName, name, $"arn:aws:{service}:{LocalAccount.Region}:{LocalAccount.AccountId}:{kind}/{name}",
            ScheduleExpression.Parse(expression, created), properties["Input"]?.ToString());
    }

    /// <summary>
    /// What the function is invoked with for the firing at <paramref name="time"/>: the <c>Input</c>, or the Scheduled
    /// Event EventBridge sends (its documented shape; <c>time</c> is the scheduled time, to the second).
    /// </summary>
    public JsonNode Payload(DateTimeOffset time) => Input is not null ? JsonNode.Parse(Input)! : ScheduledEvent(Arn, time);

    public static JsonObject ScheduledEvent(string ruleArn, DateTimeOffset time) => new()
    {
        ["version"] = "0",
        ["id"] = Guid.NewGuid().ToString(),
        ["detail-type"] = "Scheduled Event",
        ["source"] = "aws.events",
        ["account"] = ruleArn.Split(':')[4],
        ["time"] = time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        ["region"] = ruleArn.Split(':')[3],
        ["resources"] = new JsonArray(ruleArn),
        ["detail"] = new JsonObject(),
    };
}
