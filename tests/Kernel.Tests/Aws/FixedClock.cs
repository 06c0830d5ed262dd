namespace Serverless.Kernel.Tests.Aws;

/// <summary>A clock stopped at one instant, for deterministic signatures.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
