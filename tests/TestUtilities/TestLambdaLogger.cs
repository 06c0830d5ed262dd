using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Serverless.Kernel.Logging;

namespace Serverless.TestUtilities;

/// <summary>
/// Keeps what a function logs, line by line, as it would reach CloudWatch: the kernel's Lambda JSON lines
/// (<see cref="LambdaJsonLoggerProvider"/>), so a test asserts on what production writes. Thread-safe: continuations
/// running at once share one.
/// </summary>
public sealed class TestLambdaLogger : ILoggerProvider
{
    private readonly ConcurrentQueue<string> lines = new();
    private readonly LambdaJsonLoggerProvider json;

    public TestLambdaLogger() =>
        json = new LambdaJsonLoggerProvider(new LineStream(line => lines.Enqueue(line.TrimEnd('\n'))), TimeProvider.System);

    /// <summary>The lines logged so far, oldest first, without their line ends.</summary>
    public IReadOnlyCollection<string> Lines => lines;

    /// <summary>Everything logged so far, as the function's output held it.</summary>
    public string Buffer => string.Concat(lines.Select(line => line + "\n"));

    /// <summary>Adds a line as it is (e.g. an emulator's output beside the function's).</summary>
    public void LogLine(string line) => lines.Enqueue(line);

    public ILogger CreateLogger(string categoryName) => json.CreateLogger(categoryName);

    public void Dispose() => json.Dispose();
}
