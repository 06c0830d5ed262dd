using System.Text;

namespace Serverless.TestUtilities;

/// <summary>
/// A write-only stream for output written a whole line at a call (the kernel's JSON log lines and metric lines): each
/// write goes to <paramref name="onLine"/> as text, line end included. Thread-safe as <paramref name="onLine"/> is.
/// </summary>
public sealed class LineStream(Action<string> onLine) : Stream
{
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer) => onLine(Encoding.UTF8.GetString(buffer));

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
