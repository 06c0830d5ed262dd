using Serverless.ModelServer.Vader;

namespace Serverless.ModelServer.Tests.Vader;

/// <summary>
/// One published rule at a time, against values worked out by hand from the lexicon (good 1.9, terrible -2.1,
/// problem -1.7, kiss 1.8, doubt -1.5, excellent 2.7, :) 2.0, ok 1.2 …) and VADER's constants.
/// </summary>
public sealed class RuleTests
{
    private static double Compound(double sum) => Math.Round(sum / Math.Sqrt(sum * sum + 15), 4);

    private static async Task<double> CompoundOf(string text) =>
        (await TestLexicon.AnalyzerAsync()).PolarityScores(text).Rounded().Compound;

    [Theory]
    [InlineData("The book was good.", 1.9)]
    [InlineData("The book was very good.", 1.9 + 0.293)] // booster next to the word
    [InlineData("It was very nearly good.", 1.9 + 0.293 * 0.95)] // booster two back: × 0.95
    [InlineData("The book was slightly good.", 1.9 - 0.293)] // dampener
    [InlineData("The book was very terrible.", -2.1 - 0.293)] // a booster pushes away from zero
    [InlineData("The book was kind of good.", 1.9 - 0.293)] // "kind of": the bigram dampener
    [InlineData("The book was not good.", 1.9 * -0.74)] // negation, N_SCALAR
    [InlineData("The book wasn't good.", 1.9 * -0.74)] // any word with n't
    [InlineData("The book isnt good.", 1.9 * -0.74)] // the NEGATE list without apostrophes
    [InlineData("It is not a very good book", (1.9 + 0.293) * -0.74)] // negation three back
    [InlineData("Sentiment analysis has never been good.", 1.9 * -0.74)]
    [InlineData("It was never so good", (1.9 + 0.293) * 1.25 * 1.25)] // "never so": amplifies (and "so" right before, again)
    [InlineData("This is the least good book", 1.9 * -0.74)] // "least" negates ...
    [InlineData("It is at least good", 1.9)] // ... but not "at least"
    [InlineData("There is no problem.", -1.7 * -0.74)] // "no" before a lexicon word: 0 itself, negates the word
    [InlineData("The food was good but the service was terrible.", 1.9 * 0.5 + -2.1 * 1.5)] // "but"
    [InlineData("The food was good BUT the service was terrible.", 1.9 * 0.5 + -2.1 * 1.5)] // any case
    [InlineData("The book was GOOD.", 1.9 + 0.733)] // ALL CAPS among mixed case
    [InlineData("THE BOOK WAS GOOD.", 1.9)] // all upper: no emphasis
    [InlineData("The book was VERY good.", 1.9 + 0.293 + 0.733)] // upper-case booster
    [InlineData("Good!!!!!!", 1.9 + 4 * 0.292)] // at most 4 '!'
    [InlineData("Good?", 1.9)] // one '?' adds nothing
    [InlineData("Good??", 1.9 + 2 * 0.18)]
    [InlineData("Good???", 1.9 + 3 * 0.18)]
    [InlineData("Good????", 1.9 + 0.96)]
    [InlineData("Terrible!!", -2.1 - 2 * 0.292)] // emphasis away from zero
    [InlineData("With VADER, sentiment analysis is the shit!", 3 + 0.292)] // special case "the shit"
    [InlineData("It was the kiss of death", -1.5 + -1.5)] // "kiss of death" replaces both words
    [InlineData("Without a doubt, excellent idea.", -1.5 * -0.74 + 2.7)] // "without ... doubt" does not negate "excellent"
    [InlineData("Make sure :)", 1.3 + 2.0)] // emoticons are tokens
    [InlineData("ok", 1.2)] // listed twice in the lexicon (1.6, then 1.2): the last line wins
    public async Task Rule(string text, double expectedSum)
    {
        Assert.Equal(Compound(expectedSum), await CompoundOf(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \t\n ")]
    public async Task Empty_text_scores_zero(string text)
    {
        var analyzer = await TestLexicon.AnalyzerAsync();

        Assert.Equal(default, analyzer.PolarityScores(text));
        Assert.Equal(new Classification("NEUTRAL", 1.0), analyzer.Classify(text));
    }

    [Fact]
    public async Task Proportions_count_sentiment_words_as_valence_plus_one()
    {
        var analyzer = await TestLexicon.AnalyzerAsync();

        // The, book, was: neutral 1 each; good: 1.9 + 1; '!' (0.292) goes to the larger side.
        var scores = analyzer.PolarityScores("The book was good!");

        var total = 3 + 2.9 + 0.292;
        Assert.Equal(3 / total, scores.Neutral, 12);
        Assert.Equal((2.9 + 0.292) / total, scores.Positive, 12);
        Assert.Equal(0, scores.Negative);
    }

    [Theory]
    [InlineData("Good, bad.", new[] { "Good", "bad" })]
    [InlineData("  :)  (hello)  :D!  ...  ", new[] { ":)", "hello", ":D!", "..." })] // 2 characters or fewer left: kept whole
    [InlineData("isn't \"quoted\" e-mail", new[] { "isn't", "quoted", "e-mail" })]
    [InlineData("a\u00a0b\u2003c\u001fd", new[] { "a", "b", "c", "d" })] // Unicode white space, as Python's split()
    public void Tokens_are_split_on_white_space_and_stripped_of_punctuation(string text, string[] expected)
    {
        Assert.Equal(expected, SentimentAnalyzer.Tokenize(text));
    }

    [Theory]
    [InlineData("GOOD", true)]
    [InlineData(":D", true)]
    [InlineData("I'M", true)]
    [InlineData("Good", false)]
    [InlineData(":)", false)]
    [InlineData("123", false)]
    [InlineData("ÉTÉ", true)]
    [InlineData("éTÉ", false)]
    public void Upper_case_is_pythons_isupper(string word, bool expected)
    {
        Assert.Equal(expected, SentimentAnalyzer.IsUpperPython(word));
    }

    [Theory]
    [InlineData(0.8316, "POSITIVE", 0.9158)]
    [InlineData(0.05, "POSITIVE", 0.525)]
    [InlineData(0.04996, "POSITIVE", 0.525)] // the compound is rounded to 4 decimals first
    [InlineData(0.0499, "NEUTRAL", 0.501)]
    [InlineData(0.0, "NEUTRAL", 1.0)]
    [InlineData(-0.0499, "NEUTRAL", 0.501)]
    [InlineData(-0.05, "NEGATIVE", 0.525)]
    [InlineData(-0.7424, "NEGATIVE", 0.8712)]
    [InlineData(1.0, "POSITIVE", 1.0)]
    [InlineData(-1.0, "NEGATIVE", 1.0)]
    public void Classify_maps_compound_to_label_and_confidence(double compound, string label, double score)
    {
        Assert.Equal(new Classification(label, score), SentimentAnalyzer.Classify(compound));
    }

    [Fact]
    public async Task Analyzer_is_safe_to_share_between_threads()
    {
        var analyzer = await TestLexicon.AnalyzerAsync();
        var expected = analyzer.PolarityScores("VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!");

        var results = new SentimentScores[2000];
        Parallel.For(0, results.Length, i => results[i] =
            analyzer.PolarityScores("VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!"));

        Assert.All(results, result => Assert.Equal(expected, result));
    }
}
