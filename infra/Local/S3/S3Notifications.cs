using System.Text;
using Serverless.Local.Emulators;
using Serverless.Local.Lambda;

namespace Serverless.Local.S3;

/// <summary>
/// Delivers S3 object changes to the subscribed functions as S3 does: each matching subscription invokes its
/// function asynchronously (with Lambda's retries) with the event message. One change has one
/// <c>sequencer</c>, later changes larger ones (hex, fixed width, so they also compare as strings).
/// </summary>
public sealed class S3Notifications(IReadOnlyList<S3Subscription> subscriptions, LambdaService lambda, TimeProvider time,
    Action<string> log)
{
    private readonly Lock sequence = new();
    private long lastSequencer;

    public IReadOnlyList<S3Subscription> Subscriptions => subscriptions;

    public void Publish(S3ObjectEvent change)
    {
        var matching = subscriptions.Where(subscription => subscription.Matches(change)).ToList();
        if (matching.Count == 0) return;
        var sequencer = NextSequencer();
        foreach (var subscription in matching)
        {
            var message = S3EventMessage.Build(change, subscription.ConfigurationId, sequencer);
            var requestId = lambda.InvokeAsynchronously(subscription.FunctionName,
                Encoding.UTF8.GetBytes(message.ToJsonString(S3EventMessage.Json)));
            log($"[s3] {change.EventName} s3://{change.Bucket}/{change.Key} -> {subscription.FunctionName}"
                + $" (asynchronous invocation {requestId})");
        }
    }

    /// <summary>Microseconds since 1970, made strictly increasing, as 18 hex digits (S3's sequencers look like
    /// <c>0066433558C1E2A5D7</c>).</summary>
    private string NextSequencer()
    {
        lock (sequence)
        {
            var now = (time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / 10;
            lastSequencer = Math.Max(lastSequencer + 1, now);
            return lastSequencer.ToString("X18", System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
