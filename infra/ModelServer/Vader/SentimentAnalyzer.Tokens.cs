using System.Globalization;
using System.Text;

namespace Serverless.ModelServer.Vader;

/// <summary>Tokenising, and Python's string tests that VADER's tokens depend on.</summary>
public sealed partial class SentimentAnalyzer
{
    /// <summary>The tokens VADER scores: whitespace-separated, with surrounding punctuation stripped from words.</summary>
    internal static List<string> Tokenize(string text)
    {
        var words = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && IsPythonWhitespace(text[i]))
            {
                i++;
            }
            if (i == text.Length)
            {
                break;
            }
            var start = i;
            while (i < text.Length && !IsPythonWhitespace(text[i]))
            {
                i++;
            }
            words.Add(StripPunctuationIfWord(text, start, i - start));
        }
        return words;
    }

    /// <summary>Python's str.isupper(): at least one cased character, and no lower-case or title-case one.</summary>
    internal static bool IsUpperPython(string word)
    {
        var cased = false;
        foreach (var c in word)
        {
            if (char.IsAscii(c))
            {
                if (char.IsAsciiLetterLower(c))
                {
                    return false;
                }
                cased |= char.IsAsciiLetterUpper(c);
                continue;
            }
            return IsUpperPythonSlow(word);
        }
        return cased;
    }

    private static bool IsUpperPythonSlow(string word)
    {
        var cased = false;
        foreach (var rune in word.EnumerateRunes())
        {
            if (Rune.IsLower(rune) || Rune.GetUnicodeCategory(rune) == UnicodeCategory.TitlecaseLetter)
            {
                return false;
            }
            cased |= Rune.IsUpper(rune);
        }
        return cased;
    }

    // str.split() separators: .NET's white space plus the four ASCII information separators Python also counts.
    private static bool IsPythonWhitespace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';

    // Python's string.punctuation.
    private static bool IsAsciiPunctuation(char c) =>
        c is (>= '!' and <= '/') or (>= ':' and <= '@') or (>= '[' and <= '`') or (>= '{' and <= '~');

    private static string StripPunctuationIfWord(string text, int start, int length)
    {
        var first = start;
        var end = start + length;
        while (first < end && IsAsciiPunctuation(text[first]))
        {
            first++;
        }
        while (end > first && IsAsciiPunctuation(text[end - 1]))
        {
            end--;
        }
        var strippedLength = end - first;
        if (strippedLength == length)
        {
            return text.Substring(start, length);
        }
        // Two or fewer characters (code points, as Python counts) left: probably an emoticon, keep it whole.
        if (strippedLength <= 2 || (strippedLength <= 4 && CountCodePoints(text.AsSpan(first, strippedLength)) <= 2))
        {
            return text.Substring(start, length);
        }
        return text.Substring(first, strippedLength);
    }

    private static int CountCodePoints(ReadOnlySpan<char> span)
    {
        var count = 0;
        foreach (var _ in span.EnumerateRunes())
        {
            count++;
        }
        return count;
    }
}
