using System.Diagnostics;
using System.Threading.Channels;
using Serverless.Local.Processes;

namespace Serverless.Local.Lambda;

/// <summary>
/// One execution environment: the function's <c>bootstrap</c> as its own process, served one
/// invocation at a time through its own Runtime API path (<c>AWS_LAMBDA_RUNTIME_API</c> =
/// <c>127.0.0.1:{port}/instances/{id}</c>). A timeout, an init error or a crash ends the instance.
/// </summary>
public sealed class FunctionInstance : IAsyncDisposable
{
    /// <summary>Lambda gives a runtime's init phase 10 s.</summary>
    public static readonly TimeSpan InitTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The .NET install this process runs on: <c>{root}/shared/Microsoft.NETCore.App/{version}/</c>, three levels up.</summary>
    private static readonly string DotnetRoot =
        Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));

    /// <summary>The invocation for the runtime's waiting <c>invocation/next</c>, which the caller's thread answers at once (no
    /// hand-off to another thread on the way).</summary>
    private readonly Channel<Invocation> inbox =
        Channel.CreateBounded<Invocation>(new BoundedChannelOptions(1) { AllowSynchronousContinuations = true });
    private readonly Stopwatch sinceStart = Stopwatch.StartNew();
    private readonly string runtimeApiHost;
    private readonly Action<string> log;
    private ChildProcess process = null!;
    private Invocation? current;
    private Stopwatch? currentClock;
    private TimeSpan? initDuration;
    private InvocationLog? invocationLog;
    private bool reportedInit;
    private byte[]? initError;

    public FunctionInstance(FunctionDefinition function, string runtimeApiHost, Action<string> log)
    {
        Function = function;
        this.runtimeApiHost = runtimeApiHost;
        this.log = log;
    }

    /// <summary>Starts the process; the instance must be reachable by <see cref="Id"/> before this.</summary>
    public void Start()
    {
        var environment = new Dictionary<string, string?>(Function.Environment.Select(pair =>
            KeyValuePair.Create(pair.Key, (string?)pair.Value)))
        {
            ["AWS_LAMBDA_RUNTIME_API"] = $"{runtimeApiHost}/instances/{Id}",
            ["AWS_LAMBDA_LOG_STREAM_NAME"] = $"{DateTime.UtcNow:yyyy/MM/dd}/[$LATEST]{Id}",
            // A fast build's bootstrap is an apphost: it runs on the .NET the local cloud runs on (a package has its own).
            ["DOTNET_ROOT"] = DotnetRoot,
        };
        process = ChildProcess.Start(Function.Name, Path.Combine(Function.PackageDirectory, "bootstrap"), [],
            output: Output, workingDirectory: Function.PackageDirectory, environment: environment);
        _ = WatchExitAsync();
    }

    /// <summary>Every line goes to the service's log, and to the log of the invocation running (for the log tail).</summary>
    private void Output(string line)
    {
        log(line);
        var prefix = $"[{Function.Name}] ";
        invocationLog?.Append(line.StartsWith(prefix, StringComparison.Ordinal) ? line[prefix.Length..] : line);
    }

    public string Id { get; } = Guid.NewGuid().ToString("N")[..12];
    public FunctionDefinition Function { get; }
    public bool IsAlive { get; private set; } = true;

    /// <summary>Hands the invocation to the runtime's next <c>invocation/next</c> and waits for its outcome.</summary>
    public async Task<InvocationResult> RunAsync(Invocation invocation)
    {
        await inbox.Writer.WriteAsync(invocation);
        if (process.Exited.IsCompleted) FailWaiting();
        if (!reportedInit)
        {
            // A runtime that never asks for its first invocation fails it once init and the timeout have passed.
            using var initGuard = new CancellationTokenSource();
            var guard = Task.Delay(InitTimeout + Function.Timeout, initGuard.Token);
            if (await Task.WhenAny(invocation.Result, guard) == guard && current is null)
                Fail(invocation, "Runtime.InitError",
                    $"The runtime did not ask for an invocation within {InitTimeout.TotalSeconds:0} s of starting.");
            await initGuard.CancelAsync();
        }
        return await invocation.Result;
    }

    /// <summary><c>GET invocation/next</c>: blocks until there is an invocation; starts its timeout.</summary>
    public async Task<(Invocation Invocation, DateTimeOffset Deadline)> NextAsync(CancellationToken cancellationToken)
    {
        if (!reportedInit)
        {
            reportedInit = true;
            initDuration = sinceStart.Elapsed;
        }
        var invocation = await inbox.Reader.ReadAsync(cancellationToken);
        current = invocation;
        invocationLog?.Close();
        invocationLog = new InvocationLog(invocation.RequestId);
        currentClock = Stopwatch.StartNew();
        var deadline = DateTimeOffset.UtcNow + Function.Timeout;
        _ = EnforceTimeoutAsync(invocation);
        return (invocation, deadline);
    }

    public bool Respond(string requestId, byte[] payload) =>
        Finish(requestId, clock => new InvocationResult(payload, null, clock, TakeInitDuration()));

    public bool RespondWithError(string requestId, byte[] errorPayload) =>
        Finish(requestId, clock => new InvocationResult(errorPayload, "Unhandled", clock, TakeInitDuration()));

    /// <summary><c>POST init/error</c>: the invocation waiting on this instance fails with the init error.</summary>
    public void InitFailed(byte[] errorPayload)
    {
        IsAlive = false;
        initError = errorPayload;
        FailWaiting();
    }

    private bool Finish(string requestId, Func<TimeSpan, InvocationResult> outcome)
    {
        var invocation = current;
        if (invocation is null || invocation.RequestId != requestId) return false;
        current = null;
        return invocation.Complete(outcome(currentClock!.Elapsed) with
        {
            MaxMemoryUsedMB = InvocationReport.MaxMemoryUsedMB(process.Id),
            Log = invocationLog,
        });
    }

    private TimeSpan? TakeInitDuration()
    {
        var value = initDuration;
        initDuration = null;
        return value;
    }

    private async Task EnforceTimeoutAsync(Invocation invocation)
    {
        if (await Task.WhenAny(invocation.Result, Task.Delay(Function.Timeout)) == invocation.Result) return;
        Fail(invocation, "Sandbox.Timedout",
            $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {invocation.RequestId} "
                + $"Task timed out after {Function.Timeout.TotalSeconds:0.00} seconds");
        log($"REPORT RequestId: {invocation.RequestId} Status: timeout");
        await DisposeAsync();
    }

    private void Fail(Invocation invocation, string errorType, string message)
    {
        IsAlive = false;
        invocation.Complete(InvocationResult.Error(errorType, message, currentClock?.Elapsed ?? TimeSpan.Zero, TakeInitDuration()));
    }

    private async Task WatchExitAsync()
    {
        await process.Exited;
        IsAlive = false;
        if (current is { } running) Fail(running, "Runtime.ExitError", ExitMessage(running));
        FailWaiting();
    }

    /// <summary>An invocation no runtime will pick up: it fails with the init error, or as Lambda reports an exit.</summary>
    private void FailWaiting()
    {
        if (initError is null && !process.Exited.IsCompleted) return;
        if (!inbox.Reader.TryRead(out var waiting)) return;
        if (initError is not null)
            waiting.Complete(new InvocationResult(initError, "Unhandled", TimeSpan.Zero, sinceStart.Elapsed));
        else
            Fail(waiting, "Runtime.ExitError", ExitMessage(waiting));
    }

    private string ExitMessage(Invocation invocation) =>
        $"RequestId: {invocation.RequestId} Error: Runtime exited with error: exit status {process.Exited.Result}";

    public async ValueTask DisposeAsync()
    {
        IsAlive = false;
        invocationLog?.Close();
        if (process is not null) await process.DisposeAsync();
    }
}
