namespace Serverless.ModelServer.Vader;

/// <summary>Scoring: the compound (normalised sum) and the negative/neutral/positive proportions.</summary>
public sealed partial class SentimentAnalyzer
{
    private static SentimentScores Score(double[] sentiments, string text)
    {
        var sum = 0.0;
        foreach (var sentiment in sentiments)
        {
            sum += sentiment;
        }

        var emphasis = PunctuationEmphasis(text);
        if (sum > 0)
        {
            sum += emphasis;
        }
        else if (sum < 0)
        {
            sum -= emphasis;
        }
        var compound = Normalize(sum);

        double positive = 0.0, negative = 0.0;
        var neutral = 0;
        foreach (var sentiment in sentiments)
        {
            if (sentiment > 0)
            {
                positive += sentiment + 1; // + 1: a sentiment word also counts as a word, like the neutral ones
            }
            else if (sentiment < 0)
            {
                negative += sentiment - 1;
            }
            else
            {
                neutral++;
            }
        }
        if (positive > Math.Abs(negative))
        {
            positive += emphasis;
        }
        else if (positive < Math.Abs(negative))
        {
            negative -= emphasis;
        }

        var total = positive + Math.Abs(negative) + neutral;
        return new SentimentScores(
            Math.Abs(negative / total),
            Math.Abs(neutral / total),
            Math.Abs(positive / total),
            compound);
    }

    private static double Normalize(double score)
    {
        var normalized = score / Math.Sqrt(score * score + Alpha);
        return Math.Clamp(normalized, -1.0, 1.0);
    }
}
