using System.Text;
using System.Text.Json;

namespace Serverless.Kernel.Tests.Logging;

/// <summary>What a <see cref="Serverless.Kernel.Logging.LambdaJsonLoggerProvider"/> wrote: one JSON object per line.</summary>
internal static class LogLines
{
    public static IReadOnlyList<JsonElement> Read(MemoryStream output)
    {
        var text = Encoding.UTF8.GetString(output.ToArray());
        Assert.EndsWith("\n", text);
        return text[..^1].Split('\n').Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();
    }

    public static string? String(this JsonElement line, string name) =>
        line.TryGetProperty(name, out var value) ? value.GetString() : null;
}
