namespace Serverless.ModelServer.Vader;

/// <summary>
/// VADER (Valence Aware Dictionary and sEntiment Reasoner), Hutto &amp; Gilbert, ICWSM 2014: a rule-based sentiment
/// model, implemented here from its published rules (the reference implementation is vaderSentiment 3.3.x, Python).
/// Thread-safe: it holds only the read-only lexicon.
/// <para>The rules, in the order they apply:</para>
/// <list type="number">
/// <item>Tokens: the text split on whitespace; leading and trailing ASCII punctuation is stripped from a token unless
/// that leaves 2 characters or fewer (so emoticons such as <c>:)</c> and <c>:D</c> survive).</item>
/// <item>Booster/dampener words (<c>very</c>, <c>kinda</c> …) and the <c>kind</c> of "kind of" score 0 themselves.</item>
/// <item>A token found (lower-cased) in the lexicon starts from its valence. "no" followed by a lexicon word scores 0
/// and negates what follows: a word 1 or 2 after "no", or 3 after it with "or"/"nor" just before, gets valence × -0.74.</item>
/// <item>ALL-CAPS emphasis: if some but not all tokens are upper case, an upper-case sentiment word gains 0.733 in its
/// direction.</item>
/// <item>Looking back 1, 2, 3 tokens (each not itself in the lexicon): a booster adds ±0.293 in the word's direction
/// (× 0.95 at distance 2, × 0.9 at distance 3; an upper-case booster adds another 0.733); a negation word (the
/// NEGATE list or any word containing "n't") multiplies by N_SCALAR = -0.74; "never so/this" multiplies by 1.25 instead,
/// "without doubt" leaves it alone; at distance 3 the idioms and special cases apply ("the shit" = 3, "kiss of death"
/// = -1.5 …) and the bigram dampeners "kind of", "sort of", "just enough" subtract 0.293.</item>
/// <item>"least" just before a word negates it (× -0.74) unless preceded by "at" or "very".</item>
/// <item>"but": valences before the first "but" are halved, after it × 1.5.</item>
/// <item>Punctuation: each '!' (up to 4) adds 0.292; 2 or 3 '?' add 0.18 each, more add 0.96; added to the sum away
/// from zero.</item>
/// <item>Compound = x / sqrt(x² + 15) of the sum. The proportions count each sentiment word as |valence| + 1 and each
/// other token as 1 (the punctuation emphasis goes to the larger side).</item>
/// </list>
/// <para>
/// Differences from the Python reference, on purpose: emoji are not translated to words (that needs
/// <c>emoji_utf8_lexicon.txt</c>, which the npm package does not ship); "but" scaling is by position (the reference
/// finds each value with <c>list.index</c>, which picks the first equal value and so occasionally scales the wrong
/// token); Unicode case rules are .NET's simple ones.
/// </para>
/// </summary>
public sealed partial class SentimentAnalyzer
{
    private readonly Lexicon lexicon;

    /// <summary>Creates an analyzer over a lexicon.</summary>
    public SentimentAnalyzer(Lexicon lexicon)
    {
        ArgumentNullException.ThrowIfNull(lexicon);
        this.lexicon = lexicon;
    }

    /// <summary>Scores one text (unrounded; see <see cref="SentimentScores.Rounded"/>).</summary>
    public SentimentScores PolarityScores(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = Tokenize(text);
        var count = words.Count;
        if (count == 0)
        {
            return default;
        }

        var lower = new string[count];
        var upper = new bool[count];
        var allCaps = 0;
        for (var i = 0; i < count; i++)
        {
            lower[i] = words[i].ToLowerInvariant();
            upper[i] = IsUpperPython(words[i]);
            if (upper[i])
            {
                allCaps++;
            }
        }
        var capDifferential = count - allCaps;
        var sentence = new Sentence(lower, upper, capDifferential > 0 && capDifferential < count);

        var sentiments = new double[count];
        for (var i = 0; i < count; i++)
        {
            if (Boosters.ContainsKey(lower[i]))
            {
                continue; // a modifier, not a sentiment word: 0
            }
            if (i < count - 1 && lower[i] == "kind" && lower[i + 1] == "of")
            {
                continue;
            }
            sentiments[i] = Valence(sentence, i);
        }

        ApplyBut(lower, sentiments);
        return Score(sentiments, text);
    }

    /// <summary>Scores one text and labels it (see <see cref="Classify(double)"/>).</summary>
    public Classification Classify(string text) => Classify(PolarityScores(text).Compound);

    /// <summary>
    /// Labels a compound score and gives the confidence in that label. The compound is first rounded to 4 decimals, as
    /// VADER reports it; then, with c that value:
    /// <list type="bullet">
    /// <item>c ≥ 0.05: POSITIVE, score (1 + c) / 2 (0.525 … 1);</item>
    /// <item>c ≤ -0.05: NEGATIVE, score (1 - c) / 2 (0.525 … 1);</item>
    /// <item>otherwise NEUTRAL, score 1 - |c| / 0.1 (1 for c = 0, falling to 0.5 at the thresholds).</item>
    /// </list>
    /// The score is rounded to 4 decimals. It grows with the strength of the evidence for the label and never falls
    /// below 0.5, like the top score of a classifier's softmax over these labels would.
    /// </summary>
    public static Classification Classify(double compound)
    {
        var c = PythonMath.Round(compound, 4);
        if (c >= PositiveThreshold)
        {
            return new Classification("POSITIVE", PythonMath.Round((1 + c) / 2, 4));
        }
        if (c <= NegativeThreshold)
        {
            return new Classification("NEGATIVE", PythonMath.Round((1 - c) / 2, 4));
        }
        return new Classification("NEUTRAL", PythonMath.Round(1 - Math.Abs(c) / 0.1, 4));
    }
}
