using System.Text;

namespace Serverless.Uploads.Parsing;

/// <summary>
/// CSV records as RFC 4180 writes them: fields separated by commas, records by <c>\r\n</c> (or <c>\n</c>);
/// a field in double quotes may hold commas, line breaks and quotes written twice (<c>""</c>). Leniently,
/// a quote inside an unquoted field and text after a closing quote are kept as they are. Only the fields asked
/// for are kept, each up to a number of characters, so a huge record cannot fill the memory;
/// a record may also be limited in fields and characters, and reading stops as soon as it passes either.
/// </summary>
internal sealed class CsvScanner(Utf8CharSource source)
{
    private enum State { FieldStart, Unquoted, Quoted, QuoteInQuoted }

    private readonly StringBuilder field = new();
    private State state;
    private bool carriageReturn;
    private int? column;
    private int keepChars;
    private int maxFields;
    private int maxChars;
    private int recordChars;

    /// <summary>
    /// The kept fields of the last record: every field, or only the one column asked for (absent if the record is shorter).
    /// </summary>
    public List<string> Fields { get; } = [];

    /// <summary>How many fields the last record had.</summary>
    public int FieldCount { get; private set; }

    /// <summary>A kept field of the last record had more than the kept characters.</summary>
    public bool Cut { get; private set; }

    /// <summary>When the last record ended inside a quoted field (at the end of the file): the byte offset of its opening quote.</summary>
    public long? UnclosedQuoteAt { get; private set; }

    /// <summary>The last record passed the fields or characters it was limited to: reading stopped there, mid-record.</summary>
    public bool OverLimit { get; private set; }

    /// <summary>Reads the next record; false at the end of the file.</summary>
    /// <param name="keepColumn">The one field to keep (0-based), or null to keep them all (a header).</param>
    /// <param name="keepCharacters">The most characters kept of a field.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <param name="maxFields">The most fields the record may have.</param>
    /// <param name="maxCharacters">The most characters the record may have, separators and quotes included.</param>
    public async ValueTask<bool> NextAsync(int? keepColumn, int keepCharacters, CancellationToken cancellationToken,
        int maxFields = int.MaxValue, int maxCharacters = int.MaxValue)
    {
        column = keepColumn;
        keepChars = keepCharacters;
        this.maxFields = maxFields;
        maxChars = maxCharacters;
        recordChars = 0;
        OverLimit = false;
        Fields.Clear();
        field.Clear();
        FieldCount = 0;
        Cut = false;
        UnclosedQuoteAt = null;
        state = State.FieldStart;
        carriageReturn = false;
        var started = false;
        while (true)
        {
            if (source.Available.IsEmpty && !await source.FillAsync(cancellationToken))
            {
                if (!started) return false;
                EndField();
                return true;
            }
            started = true;
            var window = source.Available;
            for (var i = 0; i < window.Length; i++)
            {
                if (!Step(window[i], i) && !OverLimit) continue;
                source.Advance(i + 1);
                return true;
            }
            source.Advance(window.Length);
        }
    }

    /// <summary>Takes one character; true when it ended the record.</summary>
    private bool Step(char c, int index)
    {
        if (++recordChars > maxChars)
        {
            OverLimit = true;
            return false;
        }
        if (carriageReturn)
        {
            carriageReturn = false;
            if (c == '\n') return EndField();
            Append('\r');
        }
        return !TakeQuoted(c, index) && TakeUnquoted(c);
    }

    /// <summary>Takes a character within quotes, or a quote that opens a field or doubles one; false for any other.</summary>
    private bool TakeQuoted(char c, int index)
    {
        switch (state)
        {
            case State.Quoted:
                if (c == '"') state = State.QuoteInQuoted;
                else Append(c);
                return true;
            case State.QuoteInQuoted when c == '"':
                Append('"');
                state = State.Quoted;
                return true;
            case State.FieldStart when c == '"':
                state = State.Quoted;
                UnclosedQuoteAt = source.OffsetOf(index);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Takes a character outside quotes; true when it ended the record.</summary>
    private bool TakeUnquoted(char c)
    {
        switch (c)
        {
            case ',':
                EndField();
                field.Clear();
                state = State.FieldStart;
                return false;
            case '\n':
                return EndField();
            case '\r':
                carriageReturn = true;
                state = State.Unquoted;
                return false;
            default:
                Append(c);
                state = State.Unquoted;
                return false;
        }
    }

    // Closes the current field; after the last one of a record, FieldCount counts them all.
    private bool EndField()
    {
        if (state != State.Quoted) UnclosedQuoteAt = null;
        if (column is null || column == FieldCount) Fields.Add(field.ToString());
        if (++FieldCount > maxFields) OverLimit = true;
        return true;
    }

    private void Append(char c)
    {
        if (column is not null && column != FieldCount) return;
        if (field.Length < keepChars) field.Append(c);
        else Cut = true;
    }
}
