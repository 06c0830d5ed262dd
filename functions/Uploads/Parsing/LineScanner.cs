using System.Text;

namespace Serverless.Uploads.Parsing;

/// <summary>
/// Lines of a file (JSON Lines, plain text): each ends at <c>\n</c> or <c>\r\n</c>, the last one may end at
/// the end of the file, and an empty file has none. Keeps at most <see cref="keepChars"/> characters of a
/// line, so a file without line breaks cannot fill the memory.
/// </summary>
internal sealed class LineScanner(Utf8CharSource source, int keepChars)
{
    private readonly StringBuilder line = new();

    /// <summary>The next line without its terminator; <c>Cut</c> when it had more than the kept characters. Null at the end.</summary>
    public async ValueTask<(string Text, bool Cut)?> NextAsync(CancellationToken cancellationToken)
    {
        line.Clear();
        var cut = false;
        var started = false;
        while (true)
        {
            if (source.Available.IsEmpty && !await source.FillAsync(cancellationToken)) return started ? (Text(), cut) : null;
            started = true;
            var window = source.Available;
            var newline = window.IndexOf('\n');
            var content = newline < 0 ? window : window[..newline];
            var room = keepChars - line.Length;
            if (content.Length > room)
            {
                cut = true;
                content = content[..room];
            }
            line.Append(content);
            source.Advance(newline < 0 ? window.Length : newline + 1);
            if (newline >= 0) return (Text(), cut);
        }
    }

    private string Text() => line.Length > 0 && line[^1] == '\r' ? line.ToString(0, line.Length - 1) : line.ToString();
}
