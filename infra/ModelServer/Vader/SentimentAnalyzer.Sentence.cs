namespace Serverless.ModelServer.Vader;

/// <summary>Sentence-level rules: "but" shifts the weight to what follows it; "!" and "?" add emphasis.</summary>
public sealed partial class SentimentAnalyzer
{
    private static void ApplyBut(string[] lower, double[] sentiments)
    {
        var but = Array.IndexOf(lower, "but");
        if (but < 0)
        {
            return;
        }
        for (var i = 0; i < sentiments.Length; i++)
        {
            if (i < but)
            {
                sentiments[i] *= 0.5;
            }
            else if (i > but)
            {
                sentiments[i] *= 1.5;
            }
        }
    }

    private static double PunctuationEmphasis(string text)
    {
        int exclamations = 0, questions = 0;
        foreach (var c in text)
        {
            if (c == '!')
            {
                exclamations++;
            }
            else if (c == '?')
            {
                questions++;
            }
        }
        var ep = Math.Min(exclamations, 4) * 0.292;
        var qm = questions <= 1 ? 0 : questions <= 3 ? questions * 0.18 : 0.96;
        return ep + qm;
    }
}
