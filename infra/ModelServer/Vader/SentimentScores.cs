namespace Serverless.ModelServer.Vader;

/// <summary>VADER's four scores for one text, unrounded.</summary>
/// <param name="Negative">Share of the text's weight that is negative (0 … 1).</param>
/// <param name="Neutral">Share that is neutral (0 … 1).</param>
/// <param name="Positive">Share that is positive (0 … 1).</param>
/// <param name="Compound">Normalised sum of the adjusted valences (-1 … 1).</param>
public readonly record struct SentimentScores(double Negative, double Neutral, double Positive, double Compound)
{
    /// <summary>The scores as VADER reports them: proportions to 3 decimals, compound to 4 (Python's round()).</summary>
    public SentimentScores Rounded() => new(
        PythonMath.Round(Negative, 3), PythonMath.Round(Neutral, 3), PythonMath.Round(Positive, 3), PythonMath.Round(Compound, 4));
}

/// <summary>One text-classification answer, as the Hugging Face pipeline gives it.</summary>
/// <param name="Label">POSITIVE, NEGATIVE or NEUTRAL.</param>
/// <param name="Score">Confidence in <paramref name="Label"/>, 0 … 1 (see <see cref="SentimentAnalyzer.Classify(double)"/>).</param>
public readonly record struct Classification(string Label, double Score);
