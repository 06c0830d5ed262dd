using System.Globalization;
using System.Text;

namespace Serverless.Local.S3;

/// <summary>
/// Reads the plain object data out of an <c>aws-chunked</c> request body, as it is read (nothing is buffered beyond
/// one read). Each chunk is <c>hex-size[;chunk-signature=…]\r\n</c>, the data, <c>\r\n</c>; the last one has size 0 and
/// may be followed by trailer lines (<c>x-amz-checksum-crc32:…</c>, <c>x-amz-trailer-signature:…</c>) and an empty
/// line. This covers <c>STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]</c> and <c>STREAMING-UNSIGNED-PAYLOAD-TRAILER</c>.
/// Signatures and trailing checksums are not checked. A malformed body, or one whose data is not exactly
/// <c>x-amz-decoded-content-length</c> bytes, fails the read with an <see cref="IOException"/> and sets
/// <see cref="Error"/>.
/// </summary>
public sealed class AwsChunkedStream(Stream inner, long decodedLength) : Stream
{
    private const int MaxLine = 16 * 1024;

    private readonly byte[] buffer = new byte[64 * 1024];
    private int start;
    private int end;
    private long chunkLeft;
    private long decoded;
    private bool finished;

    /// <summary>Why the body was refused (S3's error code and message), once a read has failed.</summary>
    public (string Code, string Message)? Error { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => decodedLength;
    public override long Position { get => decoded; set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        while (!finished && destination.Length > 0)
        {
            if (chunkLeft > 0)
            {
                if (start == end && !await FillAsync(cancellationToken))
                    throw Fail("IncompleteBody", "The request body ended inside a chunk.");
                var count = (int)Math.Min(Math.Min(chunkLeft, end - start), destination.Length);
                buffer.AsMemory(start, count).CopyTo(destination);
                start += count;
                chunkLeft -= count;
                decoded += count;
                if (decoded > decodedLength) throw Fail("IncompleteBody", LengthMessage);
                if (chunkLeft == 0 && await ReadLineAsync(cancellationToken) is not "")
                    throw Fail("IncompleteBody", "A chunk's data is not followed by CRLF.");
                return count;
            }
            var header = await ReadLineAsync(cancellationToken)
                ?? throw Fail("IncompleteBody", "The request body ended before the last chunk.");
            chunkLeft = ParseSize(header);
            if (chunkLeft == 0)
            {
                // Trailer lines (checksums, the trailer signature) up to an empty line or the end of the body.
                while (await ReadLineAsync(cancellationToken) is { Length: > 0 })
                {
                }
                finished = true;
                if (decoded != decodedLength) throw Fail("IncompleteBody", LengthMessage);
            }
        }
        return 0;
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private string LengthMessage =>
        $"You did not provide the number of bytes specified by the x-amz-decoded-content-length HTTP header ({decodedLength}).";

    private long ParseSize(string header)
    {
        var size = header.Split(';', 2)[0];
        return size.Length is > 0 and <= 15 && long.TryParse(size, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture,
            out var value)
            ? value
            : throw Fail("IncompleteBody", $"Invalid chunk header: '{header[..Math.Min(header.Length, 80)]}'.");
    }

    /// <summary>The next line without its CRLF; null at the end of the body.</summary>
    private async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = buffer.AsSpan(start, end - start).IndexOf("\r\n"u8);
            if (newline >= 0)
            {
                var line = Encoding.ASCII.GetString(buffer, start, newline);
                start += newline + 2;
                return line;
            }
            if (end - start >= MaxLine) throw Fail("IncompleteBody", "A chunk header or trailer line is too long.");
            if (!await FillAsync(cancellationToken))
                return start == end ? null : throw Fail("IncompleteBody", "The request body ends inside a chunk header or trailer.");
        }
    }

    /// <summary>Reads more of the body after what is buffered; false at its end.</summary>
    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (start > 0)
        {
            buffer.AsSpan(start, end - start).CopyTo(buffer);
            end -= start;
            start = 0;
        }
        var read = await inner.ReadAsync(buffer.AsMemory(end), cancellationToken);
        end += read;
        return read > 0;
    }

    private IOException Fail(string code, string message)
    {
        Error = (code, message);
        return new IOException(message);
    }
}
