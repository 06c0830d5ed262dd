using System.Globalization;
using System.Text;

namespace Serverless.Uploads.Parsing;

/// <summary>
/// A file's characters, decoded from a stream of UTF-8 bytes a window at a time, knowing the byte offset of
/// every character it hands out (the reader's resume positions are byte offsets). A UTF-8 byte order mark at
/// byte 0 is skipped; bytes that are not UTF-8 stop the file with an <see cref="UploadFormatException"/> that
/// says where.
/// </summary>
internal sealed class Utf8CharSource
{
    private const int WindowBytes = 64 * 1024;

    private readonly Stream stream;
    private readonly Decoder decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetDecoder();
    private readonly byte[] bytes = new byte[WindowBytes];
    private readonly char[] chars = new char[WindowBytes + 4];
    private long bytesRead;
    private int start;
    private int end;
    private bool ended;

    /// <param name="stream">The bytes from <paramref name="offset"/> on (an S3 ranged GET).</param>
    /// <param name="offset">The byte offset of the stream's first byte in the file.</param>
    public Utf8CharSource(Stream stream, long offset)
    {
        this.stream = stream;
        Offset = offset;
        bytesRead = offset;
    }

    /// <summary>The byte offset in the file of the next character.</summary>
    public long Offset { get; private set; }

    /// <summary>The characters decoded and not yet consumed; empty when <see cref="FillAsync"/> is needed.</summary>
    public ReadOnlySpan<char> Available => chars.AsSpan(start, end - start);

    /// <summary>Consumes <paramref name="count"/> characters of <see cref="Available"/>.</summary>
    public void Advance(int count)
    {
        Offset += Utf8Length(chars.AsSpan(start, count));
        start += count;
    }

    /// <summary>The byte offset in the file of <see cref="Available"/>[<paramref name="index"/>].</summary>
    public long OffsetOf(int index) => Offset + Utf8Length(chars.AsSpan(start, index));

    /// <summary>Decodes the next window once <see cref="Available"/> is used up; false at the end of the file.</summary>
    /// <exception cref="UploadFormatException">The bytes are not UTF-8.</exception>
    public async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        while (start == end)
        {
            if (ended) return false;
            var count = await stream.ReadAsync(bytes, cancellationToken).ConfigureAwait(false);
            var windowOffset = bytesRead;
            bytesRead += count;
            ended = count == 0;
            try
            {
                end = decoder.GetChars(bytes, 0, count, chars, 0, flush: ended);
            }
            catch (DecoderFallbackException invalid)
            {
                var at = (windowOffset + invalid.Index).ToString("N0", CultureInfo.InvariantCulture);
                throw new UploadFormatException(
                    $"The file is not UTF-8 text: the bytes at offset {at} ({Hex(invalid.BytesUnknown)}) are not valid UTF-8. " +
                    "Save the file as UTF-8 (with or without a BOM) and upload it again.");
            }
            start = 0;
            if (windowOffset == 0 && end > 0 && chars[0] == '\uFEFF') Advance(1);
        }
        return true;
    }

    private static string Hex(byte[]? unknown) =>
        unknown is { Length: > 0 }
            ? string.Join(' ', unknown.Select(b => "0x" + b.ToString("X2", CultureInfo.InvariantCulture)))
            : "cut short";

    // The input decoded as UTF-8, so each character's encoded length is known: a surrogate pair is 4 bytes.
    private static long Utf8Length(ReadOnlySpan<char> text)
    {
        long length = 0;
        foreach (var c in text)
            length += c < 0x80 ? 1 : c < 0x800 ? 2 : char.IsHighSurrogate(c) ? 4 : char.IsLowSurrogate(c) ? 0 : 3;
        return length;
    }
}
