using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace Serverless.ModelServer.Vader;

/// <summary>
/// The VADER sentiment lexicon: token → mean valence (about -4 … +4), read from <c>vader_lexicon.txt</c>.
/// <para>
/// File format (one entry a line, tab-separated): token, mean valence, standard deviation, the ten raters' scores.
/// Only the first two columns are used. Blank lines are skipped. A token listed twice keeps its last value (the file in
/// vader-sentiment 1.1.3 lists a few twice, e.g. <c>lol</c>, and the reference implementation builds a dictionary line
/// by line, so the last line wins). Tokens are stored as written; the analyzer looks them up lower-cased, so entries
/// with upper-case letters (<c>:D</c>) are only reachable through their lower-case twins (<c>:d</c>), as in the reference.
/// </para>
/// </summary>
public sealed class Lexicon
{
    private readonly FrozenDictionary<string, double> valences;

    private Lexicon(FrozenDictionary<string, double> valences) => this.valences = valences;

    /// <summary>Number of distinct tokens.</summary>
    public int Count => valences.Count;

    /// <summary>Reads a lexicon file (UTF-8).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">A line has no valence column, or it is not a number.</exception>
    public static Lexicon Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"VADER lexicon not found at {path}.", path);
        }
        using var reader = new StreamReader(path, Encoding.UTF8);
        try
        {
            return Parse(reader);
        }
        catch (FormatException ex)
        {
            throw new FormatException($"{path}: {ex.Message}", ex);
        }
    }

    /// <summary>Parses lexicon text.</summary>
    /// <exception cref="FormatException">A line has no valence column, or it is not a number.</exception>
    public static Lexicon Parse(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var entries = new Dictionary<string, double>(StringComparer.Ordinal);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            var trimmed = line.Trim();
            if (trimmed.Length == 0)
            {
                continue;
            }
            var firstTab = trimmed.IndexOf('\t');
            if (firstTab <= 0)
            {
                throw new FormatException($"line {lineNumber}: expected 'token<TAB>valence', got '{Shorten(line)}'.");
            }
            var secondTab = trimmed.IndexOf('\t', firstTab + 1);
            var valenceText = secondTab < 0 ? trimmed.AsSpan(firstTab + 1) : trimmed.AsSpan(firstTab + 1, secondTab - firstTab - 1);
            if (!double.TryParse(valenceText, NumberStyles.Float, CultureInfo.InvariantCulture, out var valence))
            {
                throw new FormatException($"line {lineNumber}: valence '{valenceText}' is not a number.");
            }
            entries[trimmed[..firstTab]] = valence;
        }
        if (entries.Count == 0)
        {
            throw new FormatException("the lexicon has no entries.");
        }
        return new Lexicon(entries.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>Whether the token (compared exactly; pass it lower-cased) is in the lexicon.</summary>
    public bool Contains(string token) => valences.ContainsKey(token);

    /// <summary>The token's mean valence (compared exactly; pass it lower-cased).</summary>
    public bool TryGetValence(string token, out double valence) => valences.TryGetValue(token, out valence);

    private static string Shorten(string line) => line.Length <= 60 ? line : line[..60] + "…";
}
