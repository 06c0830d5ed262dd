using System.Collections.Frozen;

namespace Serverless.ModelServer.Vader;

/// <summary>The per-word valence: lexicon value, ALL-CAPS emphasis, boosters/dampeners, negation, "kind of", idioms, "least".</summary>
public sealed partial class SentimentAnalyzer
{
    private readonly record struct Sentence(string[] Lower, bool[] Upper, bool IsCapDifferential)
    {
        public int Count => Lower.Length;
    }

    private double Valence(Sentence s, int i)
    {
        var w = s.Lower;
        if (!lexicon.TryGetValence(w[i], out var lexiconValence))
        {
            return 0;
        }
        var valence = lexiconValence;

        // "no" as a negation of the next lexicon word rather than a sentiment word of its own.
        if (w[i] == "no" && i != s.Count - 1 && lexicon.Contains(w[i + 1]))
        {
            valence = 0.0;
        }
        if ((i > 0 && w[i - 1] == "no")
            || (i > 1 && w[i - 2] == "no")
            || (i > 2 && w[i - 3] == "no" && w[i - 1] is "or" or "nor"))
        {
            valence = lexiconValence * NScalar;
        }

        if (s.Upper[i] && s.IsCapDifferential)
        {
            valence = valence > 0 ? valence + CIncr : valence - CIncr;
        }

        for (var distance = 0; distance < 3; distance++)
        {
            var j = i - (distance + 1);
            if (j < 0 || lexicon.Contains(w[j]))
            {
                continue;
            }
            var scalar = BoosterScalar(w[j], s.Upper[j], valence, s.IsCapDifferential);
            if (distance == 1 && scalar != 0)
            {
                scalar *= 0.95;
            }
            if (distance == 2 && scalar != 0)
            {
                scalar *= 0.9;
            }
            valence += scalar;
            valence = NegationCheck(valence, w, distance, i);
            if (distance == 2)
            {
                valence = SpecialIdiomsCheck(valence, w, i);
            }
        }

        return LeastCheck(valence, w, i);
    }

    private static double BoosterScalar(string lowerWord, bool isUpper, double valence, bool isCapDifferential)
    {
        if (!Boosters.TryGetValue(lowerWord, out var scalar))
        {
            return 0.0;
        }
        if (valence < 0)
        {
            scalar *= -1;
        }
        if (isUpper && isCapDifferential)
        {
            scalar = valence > 0 ? scalar + CIncr : scalar - CIncr;
        }
        return scalar;
    }

    private static bool IsNegation(string lowerWord) =>
        Negations.Contains(lowerWord) || lowerWord.Contains("n't", StringComparison.Ordinal);

    private static double NegationCheck(double valence, string[] w, int distance, int i)
    {
        switch (distance)
        {
            case 0:
                if (IsNegation(w[i - 1]))
                {
                    valence *= NScalar;
                }
                break;
            case 1:
                if (w[i - 2] == "never" && w[i - 1] is "so" or "this")
                {
                    valence *= 1.25;
                }
                else if (w[i - 2] == "without" && w[i - 1] == "doubt")
                {
                    // "without doubt" is not a negation.
                }
                else if (IsNegation(w[i - 2]))
                {
                    valence *= NScalar;
                }
                break;
            case 2:
                // As published: "never so/this" two back, or "so"/"this" right before, both amplify.
                if ((w[i - 3] == "never" && w[i - 2] is "so" or "this") || w[i - 1] is "so" or "this")
                {
                    valence *= 1.25;
                }
                else if (w[i - 3] == "without" && (w[i - 2] == "doubt" || w[i - 1] == "doubt"))
                {
                    // "without a doubt" is not a negation.
                }
                else if (IsNegation(w[i - 3]))
                {
                    valence *= NScalar;
                }
                break;
        }
        return valence;
    }

    private static double SpecialIdiomsCheck(double valence, string[] w, int i)
    {
        // i >= 3 here. Phrases ending at or just before the word: the first match replaces the valence.
        if (Phrase(SpecialCases, w[i - 1], w[i]) is { } oneZero)
        {
            valence = oneZero;
        }
        else if (Phrase(SpecialCases, w[i - 2], w[i - 1], w[i]) is { } twoOneZero)
        {
            valence = twoOneZero;
        }
        else if (Phrase(SpecialCases, w[i - 2], w[i - 1]) is { } twoOne)
        {
            valence = twoOne;
        }
        else if (Phrase(SpecialCases, w[i - 3], w[i - 2], w[i - 1]) is { } threeTwoOne)
        {
            valence = threeTwoOne;
        }
        else if (Phrase(SpecialCases, w[i - 3], w[i - 2]) is { } threeTwo)
        {
            valence = threeTwo;
        }

        // Phrases starting at the word override that.
        if (w.Length - 1 > i && Phrase(SpecialCases, w[i], w[i + 1]) is { } zeroOne)
        {
            valence = zeroOne;
        }
        if (w.Length - 1 > i + 1 && Phrase(SpecialCases, w[i], w[i + 1], w[i + 2]) is { } zeroOneTwo)
        {
            valence = zeroOneTwo;
        }

        // Multi-word dampeners such as "kind of" / "sort of" before the word.
        valence += Phrase(Boosters, w[i - 3], w[i - 2], w[i - 1]) ?? 0;
        valence += Phrase(Boosters, w[i - 3], w[i - 2]) ?? 0;
        valence += Phrase(Boosters, w[i - 2], w[i - 1]) ?? 0;
        return valence;
    }

    private static double? Phrase(FrozenDictionary<string, double> table, string a, string b) =>
        PhraseWords.Contains(a) && PhraseWords.Contains(b) && table.TryGetValue(string.Concat(a, " ", b), out var value)
            ? value
            : null;

    private static double? Phrase(FrozenDictionary<string, double> table, string a, string b, string c) =>
        PhraseWords.Contains(a) && PhraseWords.Contains(b) && PhraseWords.Contains(c)
        && table.TryGetValue(string.Concat(a, " ", b, " ", c), out var value)
            ? value
            : null;

    private double LeastCheck(double valence, string[] w, int i)
    {
        if (i > 1 && w[i - 1] == "least" && !lexicon.Contains(w[i - 1]))
        {
            if (w[i - 2] != "at" && w[i - 2] != "very")
            {
                valence *= NScalar;
            }
        }
        else if (i > 0 && w[i - 1] == "least" && !lexicon.Contains(w[i - 1]))
        {
            valence *= NScalar;
        }
        return valence;
    }
}
