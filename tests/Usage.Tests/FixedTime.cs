namespace Serverless.Usage.Tests;

/// <summary>A clock standing still at a given instant.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
