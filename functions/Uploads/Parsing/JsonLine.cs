using System.Text.Json;

namespace Serverless.Uploads.Parsing;

/// <summary>One line of a JSON Lines file: a JSON object whose <c>text</c> field is the string to score.</summary>
internal static class JsonLine
{
    /// <summary>The line's text, or why it has none.</summary>
    public static (string? Text, string? Error) Text(string line)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException invalid)
        {
            return (null, $"The line is not valid JSON: {invalid.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return (null, $"The line is a JSON {Kind(root)}, not an object with a \"text\" field.");
            if (!root.TryGetProperty("text", out var text))
                return (null, "The line has no \"text\" field.");
            return text.ValueKind == JsonValueKind.String
                ? (text.GetString(), null)
                : (null, $"The \"text\" field is a JSON {Kind(text)}, not a string.");
        }
    }

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Array => "array",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        JsonValueKind.String => "string",
        _ => "object",
    };
}
