using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Serverless.ModelServer.Vader;

namespace Serverless.ModelServer;

/// <summary>The "container": the Hugging Face inference toolkit's text-classification contract (request decoding,
/// JSON/CSV answers).</summary>
internal static partial class InvokeEndpoint
{
    private readonly record struct ContainerOutcome(ReadOnlyMemory<byte> Body, string ContentType, string? Error);

    /// <summary>
    /// What the Hugging Face inference toolkit does with the request; an error is what it would answer with 400.
    /// It takes <c>Content-Type: application/json</c> with <c>{"inputs": "text"}</c> or <c>{"inputs": ["t1", "t2"]}</c>
    /// (a "parameters" object is ignored) and answers one item per input in order,
    /// <c>[{"label":"POSITIVE","score":0.9158}]</c> (a single string too answers a one-item array, as the pipeline does);
    /// <c>Accept: text/csv</c> answers CSV with a <c>label,score</c> header, as the toolkit's encoder does.
    /// </summary>
    private static ContainerOutcome RunContainer(HttpRequest request, ReadOnlyMemory<byte> body, SentimentAnalyzer analyzer)
    {
        var contentType = request.ContentType;
        if (!IsMediaType(contentType, JsonContentType))
        {
            var named = string.IsNullOrEmpty(contentType) ? "(none)" : contentType;
            return Fail($"Content type {named} is not supported by this framework. Send Content-Type: application/json.");
        }
        var accept = ChooseAccept(request.Headers.Accept.ToString());
        if (accept is null)
        {
            return Fail($"Accept type {request.Headers.Accept} is not supported by this framework. Accept application/json or text/csv.");
        }

        List<string> texts;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Fail($"The request body must be a JSON object with an \"inputs\" field, not a JSON {Describe(root.ValueKind)}.");
            }
            if (!root.TryGetProperty("inputs", out var inputs))
            {
                return Fail("The request body has no \"inputs\" field: send {\"inputs\": \"text\"} or {\"inputs\": [\"text\", ...]}.");
            }
            switch (inputs.ValueKind)
            {
                case JsonValueKind.String:
                    texts = [inputs.GetString()!];
                    break;
                case JsonValueKind.Array:
                    texts = new List<string>(inputs.GetArrayLength());
                    var index = 0;
                    foreach (var item in inputs.EnumerateArray())
                    {
                        if (item.ValueKind != JsonValueKind.String)
                        {
                            return Fail("\"inputs\" must be a string or an array of strings; " +
                                $"inputs[{index}] is a JSON {Describe(item.ValueKind)}.");
                        }
                        texts.Add(item.GetString()!);
                        index++;
                    }
                    break;
                default:
                    return Fail($"\"inputs\" must be a string or an array of strings, not a JSON {Describe(inputs.ValueKind)}.");
            }
        }
        catch (JsonException ex)
        {
            return Fail($"The request body is not valid JSON: {ex.Message}");
        }

        var results = new Classification[texts.Count];
        for (var i = 0; i < texts.Count; i++)
        {
            results[i] = analyzer.Classify(texts[i]);
        }
        return accept == CsvContentType
            ? new ContainerOutcome(WriteCsv(results), CsvContentType, null)
            : new ContainerOutcome(WriteJson(results), JsonContentType, null);

        static ContainerOutcome Fail(string message) => new(default, "", message);
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };

    private static bool IsMediaType(string? header, string mediaType) =>
        MediaTypeHeaderValue.TryParse(header, out var parsed)
        && string.Equals(parsed.MediaType, mediaType, StringComparison.OrdinalIgnoreCase);

    /// <summary>The answer's media type for an Accept header: JSON by default, CSV when asked; null when neither fits.</summary>
    private static string? ChooseAccept(string accept)
    {
        if (string.IsNullOrWhiteSpace(accept))
        {
            return JsonContentType;
        }
        foreach (var part in accept.Split(','))
        {
            if (!MediaTypeWithQualityHeaderValue.TryParse(part.Trim(), out var media) || media.Quality == 0)
            {
                continue;
            }
            switch (media.MediaType?.ToLowerInvariant())
            {
                case JsonContentType or "*/*" or "application/*":
                    return JsonContentType;
                case CsvContentType:
                    return CsvContentType;
            }
        }
        return null;
    }

    private static byte[] WriteJson(Classification[] results)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(64, results.Length * 40));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var result in results)
            {
                writer.WriteStartObject();
                writer.WriteString("label", result.Label);
                writer.WriteNumber("score", result.Score);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] WriteCsv(Classification[] results)
    {
        var text = new StringBuilder("label,score\r\n", 16 + results.Length * 20);
        foreach (var result in results)
        {
            var score = result.Score.ToString("R", CultureInfo.InvariantCulture);
            text.Append(result.Label).Append(',').Append(score);
            if (!score.Contains('.', StringComparison.Ordinal) && !score.Contains('E', StringComparison.Ordinal))
            {
                text.Append(".0"); // Python writes floats with a decimal point
            }
            text.Append("\r\n");
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
