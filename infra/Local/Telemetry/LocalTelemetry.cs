using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Serverless.Local.Lambda;

namespace Serverless.Local.Telemetry;

/// <summary>
/// Turns every invocation of the local Lambda service (<see cref="LambdaService.Invoked"/>) into telemetry
/// (<see cref="InvocationTelemetry"/>) once its output settled: the metric samples go to the <see cref="MetricStore"/>, and
/// the span, log records and metrics go to the dashboard's OTLP/HTTP endpoint as JSON (<see cref="OtlpJson"/>), when there
/// is one. An EMF line that breaks the specification is logged and extracted from nothing; nothing here fails an invocation.
/// </summary>
public sealed class LocalTelemetry : IAsyncDisposable
{
    private readonly LambdaService lambda;
    private readonly MetricStore metrics;
    private readonly string? otlpEndpoint;
    private readonly Action<string> log;
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock gate = new();
    private readonly HashSet<Task> recording = [];
    private bool exportFailing;

    private LocalTelemetry(LambdaService lambda, MetricStore metrics, string? otlpEndpoint, Action<string> log)
    {
        this.lambda = lambda;
        this.metrics = metrics;
        this.otlpEndpoint = otlpEndpoint?.TrimEnd('/');
        this.log = log;
    }

    /// <param name="otlpEndpoint">The OTLP/HTTP base URL (<c>/v1/traces</c> and the others under it); null exports nothing.</param>
    public static LocalTelemetry Start(LambdaService lambda, MetricStore metrics, string? otlpEndpoint, Action<string> log)
    {
        var telemetry = new LocalTelemetry(lambda, metrics, otlpEndpoint, log);
        lambda.Invoked += telemetry.Observe;
        return telemetry;
    }

    private void Observe(FunctionDefinition function, Invocation invocation, InvocationResult result)
    {
        var end = DateTimeOffset.UtcNow;
        lock (gate)
        {
            if (stopping.IsCancellationRequested) return;
            var task = RecordAsync(function, invocation, result, end);
            recording.Add(task);
            _ = task.ContinueWith(done =>
            {
                lock (gate) recording.Remove(done);
            }, TaskScheduler.Default);
        }
    }

    private async Task RecordAsync(FunctionDefinition function, Invocation invocation, InvocationResult result, DateTimeOffset end)
    {
        try
        {
            var lines = result.Log is { } output ? await output.SettledAsync() : "";
            var telemetry = InvocationTelemetry.From(function, invocation, result, end, lines);
            foreach (var problem in telemetry.Problems) log($"[telemetry] {function.Name} {invocation.RequestId}: {problem}");
            metrics.Add(telemetry.Metrics.Select(sample =>
                new RecordedSample(sample, function.Name, invocation.RequestId, invocation.Trace)));
            if (otlpEndpoint is null) return;
            await ExportAsync("traces", OtlpJson.Traces(telemetry));
            if (OtlpJson.Logs(telemetry) is { } logs) await ExportAsync("logs", logs);
            await ExportAsync("metrics", OtlpJson.Metrics(telemetry));
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            log($"[telemetry] {function.Name} {invocation.RequestId}: no telemetry: {error.Message}");
        }
        catch (OperationCanceledException)
        {
            // The local cloud is stopping.
        }
    }

    /// <summary>POSTs one OTLP/HTTP JSON request; says once that the dashboard does not take them, and again once it does.</summary>
    private async Task ExportAsync(string signal, JsonObject body)
    {
        string? failure;
        try
        {
            using var response = await http.PostAsync($"{otlpEndpoint}/v1/{signal}",
                JsonContent.Create(body, OtlpJsonContext.Default.JsonObject), stopping.Token);
            failure = response.IsSuccessStatusCode ? null : $"{(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (HttpRequestException error)
        {
            failure = error.Message;
        }
        lock (gate)
        {
            if (failure is not null && !exportFailing) log($"[telemetry] the dashboard did not take {signal}: {failure}");
            else if (failure is null && exportFailing) log("[telemetry] the dashboard takes telemetry again");
            exportFailing = failure is not null;
        }
    }

    /// <summary>Stops observing; telemetry still being recorded is dropped.</summary>
    public async ValueTask DisposeAsync()
    {
        lambda.Invoked -= Observe;
        Task[] running;
        lock (gate)
        {
            stopping.Cancel();
            running = [.. recording];
        }
        await Task.WhenAll(running);
        http.Dispose();
        stopping.Dispose();
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(JsonObject))]
internal sealed partial class OtlpJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
