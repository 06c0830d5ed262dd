using System.Text.Encodings.Web;
using System.Text.Json;
using Serverless.Kernel.Aws;
using Serverless.Uploads.Parsing;

namespace Serverless.Uploads.Scoring;

/// <summary>
/// Consecutive rows scored in one InvokeEndpoint call: the rows in file order (failed rows ride along, so
/// results stay in order) and the texts of those that can be scored.
/// </summary>
public sealed class Batch
{
    // {"inputs":[ ... ]}
    private const int EnvelopeBytes = 13;

    public List<Row> Rows { get; } = [];

    public List<string> Texts { get; } = [];

    /// <summary>The characters of <see cref="Texts"/>, which the model's time for the call grows with.</summary>
    public int TextChars { get; private set; }

    /// <summary>The exact size of the request body <c>{"inputs": [...]}</c> as the SageMaker client serializes it.</summary>
    public int BodyBytes { get; private set; } = EnvelopeBytes;

    public Row Last => Rows[^1];

    /// <summary>Adds a row, measuring its text as a JSON string (the serializer's default escaping).</summary>
    public void Add(Row row)
    {
        Rows.Add(row);
        if (row.Text is null) return;
        BodyBytes += Measure(row.Text) + (Texts.Count > 0 ? 1 : 0);
        TextChars += row.Text.Length;
        Texts.Add(row.Text);
    }

    /// <summary>Whether the row fits: always into an empty batch, else within the text, character, row and body limits.</summary>
    public bool Fits(Row row, BatchLimits limits) =>
        Rows.Count == 0
        || (Rows.Count < limits.MaxRows
            && (row.Text is null
                || (Texts.Count < limits.MaxTexts && TextChars + row.Text.Length <= limits.MaxTextChars
                    && BodyBytes + 1 + Measure(row.Text) <= limits.MaxBodyBytes)));

    /// <summary>
    /// The text's size as a JSON string; the row <see cref="Fits"/> just measured is not encoded again by <see cref="Add"/>.
    /// </summary>
    private int Measure(string text)
    {
        if (!ReferenceEquals(text, measured.Text))
            measured = (text, JsonEncodedText.Encode(text, JavaScriptEncoder.Default).EncodedUtf8Bytes.Length + 2);
        return measured.Bytes;
    }

    private (string? Text, int Bytes) measured;
}

/// <summary>
/// How big a batch may grow: texts per call, their characters, rows per batch (failed rows included), request body bytes
/// (InvokeEndpoint's 6 MB). A call's characters are bounded so that its model time is: SageMaker gives the model 60 s a
/// call, and a call of short texts may carry many more of them than one of the longest (64 of
/// <see cref="RowReader.MaxTextChars"/>, what one call carried at most before).
/// </summary>
public sealed record BatchLimits(
    int MaxTexts = 256, int MaxTextChars = 64 * RowReader.MaxTextChars, int MaxRows = 1024,
    int MaxBodyBytes = SageMakerRuntimeClient.MaxBodyBytes)
{
    public static BatchLimits Default { get; } = new();
}
