using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Serverless.Kernel.Runtime;

namespace Serverless.Kernel.Logging;

/// <summary>
/// Structured JSON log lines on stdout in Lambda's JSON log format (<c>timestamp</c>, <c>level</c>,
/// <c>message</c>, <c>requestId</c>), plus the trace id, function name, category, the message
/// template's named values and the exception. The level comes from <c>AWS_LAMBDA_LOG_LEVEL</c>.
/// </summary>
public sealed class LambdaJsonLoggerProvider(Stream output, TimeProvider time) : ILoggerProvider
{
    private readonly Lock writeLock = new();

    public ILogger CreateLogger(string categoryName) => new LambdaJsonLogger(this, categoryName);

    public void Dispose() => output.Flush();

    internal void Write(string category, LogLevel level, string message, Exception? exception,
        IReadOnlyList<KeyValuePair<string, object?>>? state)
    {
        var context = LambdaContext.Current;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("timestamp",
                time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("level", LevelName(level));
            json.WriteString("message", message);
            json.WriteString("logger", category);
            if (context is not null) json.WriteString("requestId", context.AwsRequestId);
            // Outside an invocation (init, work left running after one) the trace is the last invocation's, as the SDKs see it.
            var traceId = context is null ? Environment.GetEnvironmentVariable(LambdaBootstrap.TraceIdVariable) : context.TraceId;
            if (!string.IsNullOrEmpty(traceId)) json.WriteString("traceId", traceId);
            if (LambdaContext.FunctionName is { Length: > 0 } functionName) json.WriteString("functionName", functionName);
            foreach (var (key, value) in state ?? [])
            {
                if (key == "{OriginalFormat}" || key is "timestamp" or "level" or "message" or "requestId") continue;
                json.WriteString(key, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
            }
            if (exception is not null)
            {
                json.WriteString("errorType", exception.GetType().Name);
                json.WriteString("errorMessage", exception.Message);
                json.WriteString("stackTrace", exception.ToString());
            }
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        lock (writeLock)
        {
            output.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            output.Flush();
        }
    }

    /// <summary>The minimum level from <c>AWS_LAMBDA_LOG_LEVEL</c> (TRACE, DEBUG, INFO, WARN, ERROR, FATAL); INFO when unset.</summary>
    public static LogLevel MinimumLevel() => Environment.GetEnvironmentVariable("AWS_LAMBDA_LOG_LEVEL")?.ToUpperInvariant() switch
    {
        "TRACE" => LogLevel.Trace,
        "DEBUG" => LogLevel.Debug,
        "WARN" => LogLevel.Warning,
        "ERROR" => LogLevel.Error,
        "FATAL" => LogLevel.Critical,
        _ => LogLevel.Information,
    };

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRACE",
        LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARN",
        LogLevel.Error => "ERROR",
        _ => "FATAL",
    };

    private sealed class LambdaJsonLogger(LambdaJsonLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            provider.Write(category, logLevel, formatter(state, exception), exception,
                state as IReadOnlyList<KeyValuePair<string, object?>>);
        }
    }
}

public static class LambdaJsonLoggingExtensions
{
    /// <summary>Replaces the log providers with Lambda JSON lines on stdout; framework chatter only from Warning.</summary>
    public static ILoggingBuilder AddLambdaJson(this ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(LambdaJsonLoggerProvider.MinimumLevel());
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("System.Net.Http", LogLevel.Warning);
        logging.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, LambdaJsonLoggerProvider>(
            _ => new LambdaJsonLoggerProvider(StandardOutput.Stream, TimeProvider.System)));
        return logging;
    }
}
