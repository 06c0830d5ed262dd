using System.Text.RegularExpressions;

namespace Serverless.Local.Commands;

/// <summary>
/// <c>--parameter-overrides</c> read as SAM reads it: <c>Key=Value</c> pairs separated by spaces
/// (<c>CorsAllowedOrigins=http://localhost:5174 LogLevel=DEBUG</c>) or the AWS CLI's
/// <c>ParameterKey=Key,ParameterValue=Value</c>; a value with spaces is quoted (<c>Key="a b"</c>, <c>Key='a b'</c>) or
/// escaped (<c>a\ b</c>). A list parameter takes its items comma separated (<c>CorsAllowedOrigins=http://a,http://b</c>).
/// </summary>
internal static partial class ParameterOverrides
{
    public static IReadOnlyDictionary<string, string> Parse(string text)
    {
        var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
        var end = 0;
        for (var pair = Pair().Match(text); pair.Success; pair = pair.NextMatch())
        {
            overrides[pair.Groups["key"].Value] = Unquote(pair.Groups["value"].Value);
            end = pair.Index + pair.Length;
        }
        if (overrides.Count == 0 || text[end..].Trim().Length > 0)
            throw new UsageException($"--parameter-overrides '{text}': expected Key=Value pairs separated by spaces " +
                "(CorsAllowedOrigins=http://localhost:5174 LogLevel=DEBUG) or ParameterKey=Key,ParameterValue=Value.");
        return overrides;
    }

    /// <summary>Removes wrapping quotes and unescapes <c>\ </c>, <c>\"</c> and <c>\'</c>, as SAM does.</summary>
    private static string Unquote(string value)
    {
        if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0]) value = value[1..^1];
        return value.Replace("\\ ", " ", StringComparison.Ordinal).Replace("\\\"", "\"", StringComparison.Ordinal)
            .Replace("\\'", "'", StringComparison.Ordinal);
    }

    // Each pair right after the previous one (\G): anything else in between is not a pair and fails the parse.
    [GeneratedRegex("""\G\s*(?:ParameterKey=(?<key>[A-Za-z0-9]+),ParameterValue=|(?<key>[A-Za-z0-9]+)=)"""
        + """(?<value>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|(?:\\.|[^\s"'\\])+)""")]
    private static partial Regex Pair();
}
