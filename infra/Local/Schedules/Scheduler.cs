using System.Text;

namespace Serverless.Local.Schedules;

/// <summary>
/// Runs the template's schedules: at each time a rule's expression gives, its function is invoked asynchronously (with
/// Lambda's retries, as EventBridge invokes it) with the rule's payload. Disposing stops every rule; a firing whose
/// time comes while the local cloud stops is not run.
/// </summary>
public sealed class Scheduler : IAsyncDisposable
{
    private readonly CancellationTokenSource stopping = new();
    private readonly List<Task> running;

    /// <param name="invoke">Queues an asynchronous invocation of a function with a payload; returns its request
    /// id.</param>
    private Scheduler(IReadOnlyList<ScheduleRule> rules, Func<string, byte[], string> invoke, TimeProvider time, Action<string> log) =>
        running = rules.Select(rule => RunAsync(rule, invoke, time, log)).ToList();

    public static Scheduler Start(IReadOnlyList<ScheduleRule> rules, Func<string, byte[], string> invoke, TimeProvider time,
        Action<string> log) =>
        new(rules, invoke, time, log);

    private async Task RunAsync(ScheduleRule rule, Func<string, byte[], string> invoke, TimeProvider time, Action<string> log)
    {
        try
        {
            var next = rule.Expression.NextAfter(time.GetUtcNow());
            while (true)
            {
                var wait = next - time.GetUtcNow();
                if (wait > TimeSpan.Zero) await Task.Delay(wait, time, stopping.Token);
                var requestId = invoke(rule.FunctionName, Encoding.UTF8.GetBytes(rule.Payload(next).ToJsonString()));
                log($"[schedule] {rule.Name} fired at {next:u} -> {rule.FunctionName} (asynchronous invocation {requestId})");
                next = rule.Expression.NextAfter(next);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception error)
        {
            log($"[schedule] {rule.Name} stopped: {error.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await Task.WhenAll(running);
        stopping.Dispose();
    }
}
