using Serverless.ModelServer.Vader;

namespace Serverless.ModelServer.Tests.Vader;

/// <summary>
/// The examples in vaderSentiment's README (cjhutto/vaderSentiment, "Output for the above example code", 3.3.x),
/// with the four scores it prints: VADER's rounding, all four must match. Left out: the emoji sentence (the npm
/// package ships no emoji lexicon, so emoji are not translated to words here).
/// </summary>
public sealed class ReadmeExampleTests
{
    public static TheoryData<string, double, double, double, double> Examples => new()
    {
        // text, neg, neu, pos, compound
        { "VADER is smart, handsome, and funny.", 0.0, 0.254, 0.746, 0.8316 },
        { "VADER is smart, handsome, and funny!", 0.0, 0.248, 0.752, 0.8439 },
        { "VADER is very smart, handsome, and funny.", 0.0, 0.299, 0.701, 0.8545 },
        { "VADER is VERY SMART, handsome, and FUNNY.", 0.0, 0.246, 0.754, 0.9227 },
        { "VADER is VERY SMART, handsome, and FUNNY!!!", 0.0, 0.233, 0.767, 0.9342 },
        { "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!", 0.0, 0.294, 0.706, 0.9469 },
        { "VADER is not smart, handsome, nor funny.", 0.646, 0.354, 0.0, -0.7424 },
        { "The book was good.", 0.0, 0.508, 0.492, 0.4404 },
        { "At least it isn't a horrible book.", 0.0, 0.678, 0.322, 0.431 },
        { "The book was only kind of good.", 0.0, 0.697, 0.303, 0.3832 },
        { "The plot was good, but the characters are uncompelling and the dialog is not great.", 0.327, 0.579, 0.094, -0.7042 },
        { "Today SUX!", 0.779, 0.221, 0.0, -0.5461 },
        { "Today only kinda sux! But I'll get by, lol", 0.127, 0.556, 0.317, 0.5249 },
        { "Make sure you :) or :D today!", 0.0, 0.294, 0.706, 0.8633 },
        { "Not bad at all", 0.0, 0.513, 0.487, 0.431 },
        // vader-sentiment's (npm) README example.
        { "VADER is very smart, handsome, and funny", 0.0, 0.299, 0.701, 0.8545 },
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Scores_match_the_published_output(string text, double neg, double neu, double pos, double compound)
    {
        var analyzer = await TestLexicon.AnalyzerAsync();

        var scores = analyzer.PolarityScores(text).Rounded();

        Assert.Equal(new SentimentScores(neg, neu, pos, compound), scores);
    }

    [Theory]
    [InlineData("VADER is smart, handsome, and funny.", "POSITIVE", 0.9158)]
    [InlineData("VADER is not smart, handsome, nor funny.", "NEGATIVE", 0.8712)]
    [InlineData("The book was good.", "POSITIVE", 0.7202)]
    [InlineData("Today SUX!", "NEGATIVE", 0.7731)]
    [InlineData("The sky is blue.", "NEUTRAL", 1.0)]
    public async Task Labels_follow_the_compound_thresholds(string text, string label, double score)
    {
        var analyzer = await TestLexicon.AnalyzerAsync();

        Assert.Equal(new Classification(label, score), analyzer.Classify(text));
    }
}
