using System.Net;
using System.Text.Json;
using Serverless.Local;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// Every sample under <c>events/{FunctionLogicalId}/</c> runs through its function with the Lambda Invoke API, as
/// <c>sam local invoke</c> or <c>aws lambda invoke</c> would run it, and does what <c>{name}.expected.json</c> beside it
/// says: <c>response</c>, what the function's answer contains (an API event's <c>statusCode</c>, a Cognito trigger's echo,
/// a stream batch's <c>batchItemFailures</c>), and <c>log</c>, a text a line of the local cloud's log contains (what a
/// function whose answer nobody reads did). A new sample is its two files.
/// </summary>
[Collection(LocalCloudCollection.Name)]
public sealed class SampleEventTests(LocalCloudFixture cloud)
{
    private const string Expected = ".expected.json";

    private static readonly string RepoRoot = LocalCloudOptions.FindRepoRoot(AppContext.BaseDirectory);

    private static readonly string EventsDirectory = Path.Combine(RepoRoot, "events");

    /// <summary>Function names by logical id (a template <c>FunctionName</c> wins, as for ProcessUpload).</summary>
    private static readonly Dictionary<string, string> FunctionNames =
        LocalResources.FunctionNames(Serverless.Local.Template.SamTemplate.Load(Path.Combine(RepoRoot, "template.yaml")));

    public static TheoryData<string> Samples()
    {
        var samples = new TheoryData<string>();
        foreach (var file in Files().Where(file => !file.EndsWith(Expected, StringComparison.Ordinal))) samples.Add(file);
        return samples;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task The_sample_runs_through_its_function(string sample)
    {
        var payload = await File.ReadAllTextAsync(Path.Combine(EventsDirectory, sample));
        var expected = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(EventsDirectory, ExpectedFile(sample)))).RootElement;
        var function = FunctionNames[Path.GetDirectoryName(sample)!];

        using var response = await cloud.Http.SendAsync(await new HttpRequestMessage(HttpMethod.Post,
            $"{cloud.Output("LambdaEndpoint")}/2015-03-31/functions/{function}/invocations")
        {
            Content = new StringContent(payload),
        }.SignedAsync("lambda"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.False(response.Headers.Contains("X-Amz-Function-Error"), body.ToString());
        if (expected.TryGetProperty("response", out var answer))
            AssertContains(answer, body, "response");
        if (expected.TryGetProperty("log", out var log))
            await cloud.LogLineAsync(line => line.Contains(log.GetString()!, StringComparison.Ordinal), $"with '{log}'");
    }

    [Fact]
    public void Every_sample_has_its_expected_outcome_and_every_outcome_its_sample()
    {
        var files = Files().ToHashSet();

        Assert.All(files, file => Assert.Contains(file.EndsWith(Expected, StringComparison.Ordinal)
            ? file[..^Expected.Length] + ".json" : ExpectedFile(file), files));
        Assert.All(files, file => Assert.True(FunctionNames.ContainsKey(Path.GetDirectoryName(file)!),
            $"{file}: its folder names no function of template.yaml"));
    }

    private static IEnumerable<string> Files() =>
        Directory.EnumerateFiles(EventsDirectory, "*.json", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(EventsDirectory, path)).Order();

    private static string ExpectedFile(string sample) => Path.ChangeExtension(sample, null) + Expected;

    /// <summary>
    /// Each property <paramref name="expected"/> names is in <paramref name="actual"/> as it says (recursively); any other value
    /// equals.
    /// </summary>
    private static void AssertContains(JsonElement expected, JsonElement actual, string path)
    {
        if (expected.ValueKind != JsonValueKind.Object)
        {
            Assert.True(JsonElement.DeepEquals(expected, actual), $"{path}: expected {expected}, got {actual}");
            return;
        }
        Assert.Equal(JsonValueKind.Object, actual.ValueKind);
        foreach (var property in expected.EnumerateObject())
        {
            Assert.True(actual.TryGetProperty(property.Name, out var value), $"{path} has no '{property.Name}': {actual}");
            AssertContains(property.Value, value, $"{path}.{property.Name}");
        }
    }
}
