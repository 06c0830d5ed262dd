namespace Serverless.ModelServer.Tests;

public sealed class FaultInjectorTests
{
    [Fact]
    public void Nothing_is_pending_at_first()
    {
        var faults = new FaultInjector();

        Assert.False(faults.TryTake(out _));
        Assert.Equal(new FaultState(FaultMode.None, 0, 0, 0, 0), faults.Current);
    }

    [Fact]
    public void Defaults_are_one_invocation_and_the_usual_status()
    {
        var faults = new FaultInjector();

        Assert.Equal(new FaultState(FaultMode.Throttle, 1, 0, 429, 0), faults.Set(new FaultRequest { Mode = "throttle" }));
        Assert.Equal(new FaultState(FaultMode.Error5xx, 1, 0, 500, 0), faults.Set(new FaultRequest { Mode = "error5xx" }));
        Assert.Equal(new FaultState(FaultMode.ModelError, 1, 0, 500, 0), faults.Set(new FaultRequest { Mode = "modelError" }));
        Assert.Equal(new FaultState(FaultMode.Slow, 1, 250, 0, 0), faults.Set(new FaultRequest { Mode = "slow", DelayMs = 250 }));
    }

    [Fact]
    public void Each_take_uses_one_and_the_last_clears()
    {
        var faults = new FaultInjector();
        faults.Set(new FaultRequest { Mode = "modelError", Count = 2, Status = 503 });

        Assert.True(faults.TryTake(out var first));
        Assert.True(faults.TryTake(out var second));
        Assert.False(faults.TryTake(out _));

        Assert.Equal((FaultMode.ModelError, 503), (first.Mode, first.Status));
        Assert.Equal((FaultMode.ModelError, 503), (second.Mode, second.Status));
        Assert.Equal(new FaultState(FaultMode.None, 0, 0, 0, 2), faults.Current);
    }

    [Fact]
    public void Takes_from_many_threads_never_exceed_the_count()
    {
        var faults = new FaultInjector();
        faults.Set(new FaultRequest { Mode = "throttle", Count = 1000 });

        var taken = 0;
        Parallel.For(0, 5000, i =>
        {
            if (faults.TryTake(out _))
            {
                Interlocked.Increment(ref taken);
            }
        });

        Assert.Equal(1000, taken);
        Assert.Equal(1000, faults.Current.Fired);
    }
}
