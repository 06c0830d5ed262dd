using Serverless.Local.Emulators;

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
}
