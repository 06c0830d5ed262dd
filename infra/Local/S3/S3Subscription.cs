using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Serverless.Local.Emulators;
using Serverless.Local.Template;

namespace Serverless.Local.S3;

/// <summary>
/// One S3 notification to a function (a function's <c>Events</c> entry of <c>Type: S3</c>): the bucket, the event
/// types (<c>s3:ObjectCreated:*</c> matches every <c>ObjectCreated:</c> event), and the key filter. As on S3, the
/// prefix and suffix are compared with the key in its event form (form-encoded: a space in a filter is written <c>+</c>).
/// </summary>
public sealed record S3Subscription(string FunctionName, string Bucket, IReadOnlyList<string> Events, string Prefix, string Suffix,
    string ConfigurationId)
{
    public bool Matches(S3ObjectEvent change)
    {
        if (change.Bucket != Bucket) return false;
        var eventType = "s3:" + change.EventName;
        if (!Events.Any(pattern => pattern.EndsWith(":*", StringComparison.Ordinal)
                ? eventType.StartsWith(pattern[..^1], StringComparison.Ordinal)
                : eventType == pattern))
            return false;
        var key = S3EventMessage.EncodeKey(change.Key);
        return key.StartsWith(Prefix, StringComparison.Ordinal) && key.EndsWith(Suffix, StringComparison.Ordinal);
    }

    /// <summary>
    /// The functions' <c>S3</c> events (<c>Events</c> one type or a list, <c>Filter.S3Key.Rules</c> prefix and suffix).
    /// Each gets a configuration id as S3 generates one (a base64 UUID), the same on every run.
    /// </summary>
    /// <param name="functionNames">Each function's name by logical id (<see cref="LocalResources.FunctionNames"/>).</param>
    public static IReadOnlyList<S3Subscription> FromTemplate(SamTemplate template, IntrinsicResolver resolver,
        IReadOnlyDictionary<string, string> functionNames)
    {
        var subscriptions = new List<S3Subscription>();
        foreach (var (logicalId, eventName, trigger) in template.FunctionEvents("S3"))
        {
            var properties = resolver.Resolve(trigger)!;
            var events = properties["Events"] is JsonArray list
                ? list.Select(item => item!.GetValue<string>()).ToList()
                : [properties["Events"]!.GetValue<string>()];
            var rules = properties["Filter"]?["S3Key"]?["Rules"]?.AsArray() ?? [];
            string Rule(string name) => rules
                .FirstOrDefault(rule => string.Equals(rule?["Name"]?.GetValue<string>(), name,
                    StringComparison.OrdinalIgnoreCase))?["Value"]
                ?.GetValue<string>() ?? "";
            var id = new Guid(MD5.HashData(Encoding.UTF8.GetBytes($"{logicalId}/{eventName}")));
            subscriptions.Add(new S3Subscription(functionNames[logicalId], properties["Bucket"]!.GetValue<string>(), events,
                Rule("prefix"), Rule("suffix"),
                Convert.ToBase64String(Encoding.UTF8.GetBytes(id.ToString()))));
        }
        return subscriptions;
    }
}
