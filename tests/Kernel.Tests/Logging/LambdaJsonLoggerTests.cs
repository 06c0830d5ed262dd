using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Serverless.Kernel.Logging;
using Serverless.Kernel.Runtime;
using Serverless.Kernel.Tests.Aws;
using Serverless.Kernel.Tests.Runtime;

namespace Serverless.Kernel.Tests.Logging;

[Collection(LambdaEnvironmentCollection.Name)]
public sealed class LambdaJsonLoggerTests : IDisposable
{
    // A line outside an invocation takes the trace from the variable the invocation loop sets: none here, unless a test sets it.
    private readonly EnvironmentScope environment = new([LambdaBootstrap.TraceIdVariable]);

    private static readonly DateTimeOffset Now = new(2024, 5, 14, 9, 56, 40, 123, TimeSpan.Zero);

    private readonly MemoryStream output = new();

    private ILogger Logger(string category = "Serverless.Orders") =>
        new LambdaJsonLoggerProvider(output, new ManualTimeProvider(Now)).CreateLogger(category);

    public void Dispose() => environment.Dispose();

    [Fact]
    public void A_log_line_is_one_json_object_with_timestamp_level_message_and_logger()
    {
        Logger().LogInformation("Saved the order");

        var line = Assert.Single(LogLines.Read(output));
        Assert.Equal("2024-05-14T09:56:40.123Z", line.String("timestamp"));
        Assert.Equal("INFO", line.String("level"));
        Assert.Equal("Saved the order", line.String("message"));
        Assert.Equal("Serverless.Orders", line.String("logger"));
        Assert.False(line.TryGetProperty("requestId", out _));
        Assert.False(line.TryGetProperty("traceId", out _));
        Assert.False(line.TryGetProperty("errorType", out _));
    }

    [Fact]
    public void Each_entry_is_exactly_one_line_even_when_the_message_has_line_breaks()
    {
        var logger = Logger();
        logger.LogWarning("first\nsecond");
        logger.LogInformation("third");

        var text = Encoding.UTF8.GetString(output.ToArray());
        Assert.Equal(2, text.Count(c => c == '\n'));
        var lines = LogLines.Read(output);
        Assert.Equal("first\nsecond", lines[0].String("message"));
        Assert.Equal("third", lines[1].String("message"));
    }

    [Theory]
    [InlineData(LogLevel.Trace, "TRACE")]
    [InlineData(LogLevel.Debug, "DEBUG")]
    [InlineData(LogLevel.Information, "INFO")]
    [InlineData(LogLevel.Warning, "WARN")]
    [InlineData(LogLevel.Error, "ERROR")]
    [InlineData(LogLevel.Critical, "FATAL")]
    public void Levels_have_lambdas_names(LogLevel level, string name)
    {
        Logger().Log(level, "x");

        Assert.Equal(name, Assert.Single(LogLines.Read(output)).String("level"));
    }

    [Fact]
    public void Named_template_values_become_properties_and_the_template_does_not()
    {
        Logger().LogInformation("Saved {Count} items for {User} at {Price}", 3, "jane", 2.5m);

        var line = Assert.Single(LogLines.Read(output));
        Assert.Equal("Saved 3 items for jane at 2.5", line.String("message"));
        Assert.Equal("3", line.String("Count"));
        Assert.Equal("jane", line.String("User"));
        Assert.Equal("2.5", line.String("Price"));
        Assert.False(line.TryGetProperty("{OriginalFormat}", out _));
    }

    [Fact]
    public void Template_values_cannot_replace_the_standard_fields()
    {
        Logger().LogInformation("{level} {message} {timestamp} {requestId}", "x", "y", "z", "w");

        var line = Assert.Single(LogLines.Read(output));
        Assert.Equal("INFO", line.String("level"));
        Assert.Equal("x y z w", line.String("message"));
        Assert.Equal("2024-05-14T09:56:40.123Z", line.String("timestamp"));
        Assert.Equal(1, line.EnumerateObject().Count(p => p.Name == "level"));
        Assert.False(line.TryGetProperty("requestId", out _));
    }

    [Fact]
    public void An_exception_adds_its_type_message_and_stack_trace()
    {
        Exception exception;
        try { throw new InvalidOperationException("The table is gone."); }
        catch (Exception thrown) { exception = thrown; }

        Logger().LogError(exception, "Saving failed");

        var line = Assert.Single(LogLines.Read(output));
        Assert.Equal("ERROR", line.String("level"));
        Assert.Equal("Saving failed", line.String("message"));
        Assert.Equal("InvalidOperationException", line.String("errorType"));
        Assert.Equal("The table is gone.", line.String("errorMessage"));
        Assert.Equal(exception.ToString(), line.String("stackTrace"));
        Assert.Contains(nameof(An_exception_adds_its_type_message_and_stack_trace), line.String("stackTrace"));
    }

    [Fact]
    public void The_timestamp_does_not_depend_on_the_current_culture()
    {
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.DateTimeFormat.TimeSeparator = ".";
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = culture;
        try
        {
            Logger().LogInformation("x");
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }

        Assert.Equal("2024-05-14T09:56:40.123Z", Assert.Single(LogLines.Read(output)).String("timestamp"));
    }

    [Fact]
    public void The_function_name_comes_from_the_environment()
    {
        Environment.SetEnvironmentVariable("AWS_LAMBDA_FUNCTION_NAME", "serverless-profile-api");
        try
        {
            Logger().LogInformation("x");
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_LAMBDA_FUNCTION_NAME", null);
        }
        Logger().LogInformation("y");

        var lines = LogLines.Read(output);
        Assert.Equal("serverless-profile-api", lines[0].String("functionName"));
        Assert.False(lines[1].TryGetProperty("functionName", out _));
    }

    [Fact]
    public async Task Lines_logged_during_an_invocation_carry_its_request_id_and_trace_id()
    {
        const string trace = "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1";
        using var loggerFactory =
            LoggerFactory.Create(logging => logging.AddProvider(new LambdaJsonLoggerProvider(output, TimeProvider.System)));
        var logger = loggerFactory.CreateLogger("Serverless.Handler");
        await using var api = await FakeRuntimeApi.StartAsync();
        api.Enqueue("r-1", "{}", new Dictionary<string, string> { ["Lambda-Runtime-Trace-Id"] = trace });
        api.Enqueue("r-2", "{}");
        _ = api.RunAsync((_, context) =>
        {
            logger.LogInformation("Handling {Id}", context.AwsRequestId);
            return context.AwsRequestId == "r-1" ? Task.FromResult("{}"u8.ToArray()) : throw new TimeoutException("Too slow.");
        }, loggerFactory: loggerFactory);
        await api.NextPostAsync();
        await api.NextPostAsync();
        logger.LogInformation("Between invocations");

        var lines = LogLines.Read(output);
        Assert.Equal(4, lines.Count);
        Assert.Equal(("Handling r-1", "r-1", trace),
            (lines[0].String("message"), lines[0].String("requestId"), lines[0].String("traceId")));
        Assert.Equal(("Handling r-2", "r-2", null), (lines[1].String("message"), lines[1].String("requestId"), lines[1].String("traceId")));
        Assert.Equal("ERROR", lines[2].String("level"));
        Assert.Equal("r-2", lines[2].String("requestId"));
        Assert.Equal("TimeoutException", lines[2].String("errorType"));
        Assert.Equal("Too slow.", lines[2].String("errorMessage"));
        Assert.Equal("Between invocations", lines[3].String("message"));
        Assert.False(lines[3].TryGetProperty("requestId", out _));
    }

    [Fact]
    public async Task Lines_outside_an_invocation_carry_the_trace_of_the_last_one()
    {
        const string trace = "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1";
        var logger = Logger();
        logger.LogInformation("Init");
        await using var api = await FakeRuntimeApi.StartAsync();
        api.Enqueue("r-1", "{}", new Dictionary<string, string> { ["Lambda-Runtime-Trace-Id"] = trace });
        _ = api.RunAsync((_, _) => Task.FromResult("{}"u8.ToArray()));
        await api.NextPostAsync();
        logger.LogInformation("Work the invocation left running");

        var lines = LogLines.Read(output);
        Assert.False(lines[0].TryGetProperty("traceId", out _));
        Assert.Equal(trace, lines[1].String("traceId"));
        Assert.False(lines[1].TryGetProperty("requestId", out _));
    }

    [Theory]
    [InlineData(null, LogLevel.Information)]
    [InlineData("TRACE", LogLevel.Trace)]
    [InlineData("debug", LogLevel.Debug)]
    [InlineData("INFO", LogLevel.Information)]
    [InlineData("WARN", LogLevel.Warning)]
    [InlineData("ERROR", LogLevel.Error)]
    [InlineData("FATAL", LogLevel.Critical)]
    [InlineData("verbose", LogLevel.Information)]
    public void The_minimum_level_comes_from_AWS_LAMBDA_LOG_LEVEL(string? setting, LogLevel expected)
    {
        Environment.SetEnvironmentVariable("AWS_LAMBDA_LOG_LEVEL", setting);
        try
        {
            Assert.Equal(expected, LambdaJsonLoggerProvider.MinimumLevel());
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_LAMBDA_LOG_LEVEL", null);
        }
    }

    [Fact]
    public void AddLambdaJson_applies_the_level_and_keeps_framework_chatter_to_warnings()
    {
        Environment.SetEnvironmentVariable("AWS_LAMBDA_LOG_LEVEL", "DEBUG");
        ILoggerFactory loggerFactory;
        try
        {
            loggerFactory = LoggerFactory.Create(logging => logging.AddLambdaJson());
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_LAMBDA_LOG_LEVEL", null);
        }
        using (loggerFactory)
        {
            var own = loggerFactory.CreateLogger("Serverless.Profile");
            Assert.True(own.IsEnabled(LogLevel.Debug));
            Assert.False(own.IsEnabled(LogLevel.Trace));
            var hosting = loggerFactory.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics");
            Assert.False(hosting.IsEnabled(LogLevel.Information));
            Assert.True(hosting.IsEnabled(LogLevel.Warning));
            var http = loggerFactory.CreateLogger("System.Net.Http.HttpClient.Default.LogicalHandler");
            Assert.False(http.IsEnabled(LogLevel.Information));
            Assert.True(http.IsEnabled(LogLevel.Warning));
        }
    }

    [Fact]
    public void AddLambdaJson_is_at_INFO_when_the_level_is_not_set()
    {
        Environment.SetEnvironmentVariable("AWS_LAMBDA_LOG_LEVEL", null);
        using var loggerFactory = LoggerFactory.Create(logging => logging.AddLambdaJson());

        var own = loggerFactory.CreateLogger("Serverless.Profile");
        Assert.True(own.IsEnabled(LogLevel.Information));
        Assert.False(own.IsEnabled(LogLevel.Debug));
    }
}
