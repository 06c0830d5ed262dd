using System.Collections.Concurrent;
using System.Text;
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

    public TestLambdaLogger() => json = new LambdaJsonLoggerProvider(new LineStream(lines), TimeProvider.System);

    /// <summary>The lines logged so far, oldest first, without their line ends.</summary>
    public IReadOnlyCollection<string> Lines => lines;

    /// <summary>Everything logged so far, as the function's output held it.</summary>
    public string Buffer => string.Concat(lines.Select(line => line + "\n"));

    /// <summary>Adds a line as it is (e.g. an emulator's output beside the function's).</summary>
    public void LogLine(string line) => lines.Enqueue(line);

    public ILogger CreateLogger(string categoryName) => json.CreateLogger(categoryName);

    public void Dispose() => json.Dispose();

    /// <summary>The JSON logger writes each line whole in one call: each write is a line.</summary>
    private sealed class LineStream(ConcurrentQueue<string> lines) : Stream
    {
        public override void Write(byte[] buffer, int offset, int count) =>
            lines.Enqueue(Encoding.UTF8.GetString(buffer, offset, count).TrimEnd('\n'));

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
