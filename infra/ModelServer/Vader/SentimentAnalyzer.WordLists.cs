using System.Collections.Frozen;

namespace Serverless.ModelServer.Vader;

/// <summary>VADER's constants and word lists: the empirical increments, negations, boosters/dampeners, idioms.</summary>
public sealed partial class SentimentAnalyzer
{
    /// <summary>Empirical rating increase for booster words.</summary>
    public const double BIncr = 0.293;

    /// <summary>Empirical rating decrease for dampener words.</summary>
    public const double BDecr = -0.293;

    /// <summary>Empirical rating increase for an ALL-CAPS word among mixed-case text.</summary>
    public const double CIncr = 0.733;

    /// <summary>Negation multiplier.</summary>
    public const double NScalar = -0.74;

    /// <summary>Normalisation constant of the compound score.</summary>
    public const double Alpha = 15;

    /// <summary>Compound at or above which a text is POSITIVE (VADER's recommended threshold).</summary>
    public const double PositiveThreshold = 0.05;

    /// <summary>Compound at or below which a text is NEGATIVE.</summary>
    public const double NegativeThreshold = -0.05;

    private static readonly FrozenSet<string> Negations = new[]
    {
        "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt",
        "ain't", "aren't", "can't", "couldn't", "daren't", "didn't", "doesn't",
        "dont", "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither",
        "don't", "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't",
        "neednt", "needn't", "never", "none", "nope", "nor", "not", "nothing", "nowhere",
        "oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent",
        "oughtn't", "shan't", "shouldn't", "uh-uh", "wasn't", "weren't",
        "without", "wont", "wouldnt", "won't", "wouldn't", "rarely", "seldom", "despite",
    }.ToFrozenSet(StringComparer.Ordinal);

    // Degree adverbs (http://en.wiktionary.org/wiki/Category:English_degree_adverbs) and their slang.
    private static readonly FrozenDictionary<string, double> Boosters = BuildBoosters();

    // Idioms and phrases that contain a lexicon word; the phrase's value replaces the word's.
    private static readonly FrozenDictionary<string, double> SpecialCases = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["the shit"] = 3,
        ["the bomb"] = 3,
        ["bad ass"] = 1.5,
        ["badass"] = 1.5,
        ["bus stop"] = 0.0,
        ["yeah right"] = -2,
        ["kiss of death"] = -1.5,
        ["to die for"] = 3,
        ["beating heart"] = 3.1,
        ["broken heart"] = -2.9,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    // Every word that occurs in a multi-word special case or booster: an n-gram of other words cannot match.
    private static readonly FrozenSet<string> PhraseWords = SpecialCases.Keys.Concat(Boosters.Keys)
        .Where(key => key.Contains(' ', StringComparison.Ordinal))
        .SelectMany(key => key.Split(' '))
        .ToFrozenSet(StringComparer.Ordinal);

    private static FrozenDictionary<string, double> BuildBoosters()
    {
        string[] increments =
        [
            "absolutely", "amazingly", "awfully", "completely", "considerable", "considerably", "decidedly", "deeply",
            "effing", "enormous", "enormously", "entirely", "especially", "exceptional", "exceptionally", "extreme",
            "extremely", "fabulously", "flipping", "flippin", "frackin", "fracking", "fricking", "frickin", "frigging",
            "friggin", "fully", "fuckin", "fucking", "fuggin", "fugging", "greatly", "hella", "highly", "hugely",
            "incredible", "incredibly", "intensely", "major", "majorly", "more", "most", "particularly", "purely",
            "quite", "really", "remarkably", "so", "substantially", "thoroughly", "total", "totally", "tremendous",
            "tremendously", "uber", "unbelievably", "unusually", "utter", "utterly", "very",
        ];
        string[] decrements =
        [
            "almost", "barely", "hardly", "just enough", "kind of", "kinda", "kindof", "kind-of", "less", "little",
            "marginal", "marginally", "occasional", "occasionally", "partly", "scarce", "scarcely", "slight", "slightly",
            "somewhat", "sort of", "sorta", "sortof", "sort-of",
        ];
        return increments.Select(word => KeyValuePair.Create(word, BIncr))
            .Concat(decrements.Select(word => KeyValuePair.Create(word, BDecr)))
            .ToFrozenDictionary(StringComparer.Ordinal);
    }
}
