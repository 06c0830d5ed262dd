using System.Text;
using System.Text.Json;
using Serverless.TestUtilities;

namespace Serverless.Kernel.Tests.Logging;

/// <summary>What a <see cref="Serverless.Kernel.Logging.LambdaJsonLoggerProvider"/> wrote: one JSON object per line.</summary>
internal static class LogLines
{
    public static IReadOnlyList<JsonElement> Read(MemoryStream output) => Read(Encoding.UTF8.GetString(output.ToArray()));

    public static IReadOnlyList<JsonElement> Read(TestLambdaLogger logger) => Read(logger.Buffer);

    private static IReadOnlyList<JsonElement> Read(string text)
    {
        Assert.EndsWith("\n", text);
        return text[..^1].Split('\n').Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();
    }

    public static string? String(this JsonElement line, string name) =>
        line.TryGetProperty(name, out var value) ? value.GetString() : null;
}
