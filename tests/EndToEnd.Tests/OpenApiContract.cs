using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Serverless.Local;
using Serverless.Local.Template;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// docs/openapi.yaml as the judge of the API's real answers. An answer passes when its request's operation documents its
/// status, it carries every header that status requires, and its body is valid JSON Schema (2020-12, formats checked)
/// against the schema documented for its content type, or is empty where that status documents no content.
/// </summary>
public sealed class OpenApiContract
{
    private static readonly Uri DocumentUri = new("https://serverless.example/docs/openapi.yaml");
    private static readonly string[] Methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

    private readonly JsonObject document;
    private readonly BuildOptions buildOptions;

    private OpenApiContract(JsonObject document)
    {
        this.document = document;
        var registry = new SchemaRegistry();
        registry.Register(DocumentUri, new JsonElementBaseDocument(JsonSerializer.SerializeToElement(document), DocumentUri));
        buildOptions = new BuildOptions { SchemaRegistry = registry };
    }

    /// <summary>The repository's document, read as the local cloud reads template.yaml.</summary>
    public static OpenApiContract Document { get; } = new(SamTemplate.Load(
        Path.Combine(LocalCloudOptions.FindRepoRoot(AppContext.BaseDirectory), "docs", "openapi.yaml")).Root);

    /// <summary>Every operation: its method, its path template, and whether it needs a token.</summary>
    public IEnumerable<(HttpMethod Method, string Path, bool Secured)> Operations =>
        from path in document["paths"]!.AsObject()
        from method in Methods
        let operation = path.Value?[method]
        where operation is not null
        select (HttpMethod.Parse(method), path.Key, ((operation["security"] ?? document["security"])?.AsArray().Count ?? 0) > 0);

    /// <summary>
    /// Asserts that <paramref name="response"/> is an answer the document allows to its request; returns its JSON body, if any.
    /// </summary>
    public async Task<JsonElement?> AssertAsync(HttpResponseMessage response)
    {
        var request = response.RequestMessage!;
        var method = request.Method.Method.ToLowerInvariant();
        var path = PathTemplate(request.RequestUri!.AbsolutePath);
        var status = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        var route = $"{request.Method} {path}";
        var body = await response.Content.ReadAsStringAsync();
        var operation = document["paths"]![path]![method] ?? throw Fail($"docs/openapi.yaml does not document {route}.");
        if (operation["responses"]?[status] is null)
            throw Fail($"{route} answered {status}, which docs/openapi.yaml does not document for it. Body: {body}");
        var (answer, pointer) = Resolve(operation["responses"]![status]!, Pointer("paths", path, method, "responses", status));

        foreach (var (name, reference) in answer["headers"]?.AsObject() ?? [])
        {
            var (header, _) = Resolve(reference!, "");
            var present = response.Headers.Contains(name) || response.Content.Headers.Contains(name);
            Assert.True(present || header["required"]?.GetValue<bool>() != true,
                $"{route} answered {status} without its required header {name}.");
        }

        if (answer["content"] is not JsonObject content)
        {
            Assert.True(body.Length == 0, $"{route} answered {status}, which documents no content, with a body: {body}");
            return null;
        }
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is null || content[mediaType] is null)
            throw Fail($"{route} answered {status} as '{mediaType}', but docs/openapi.yaml documents only " +
                $"{string.Join(", ", content.Select(pair => pair.Key))}. Body: {body}");
        var json = JsonDocument.Parse(body).RootElement.Clone();
        var schema = JsonSchema.FromText(JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["$ref"] = $"{DocumentUri}#{pointer}{Pointer("content", mediaType, "schema")}",
        }), buildOptions);
        var result = schema.Evaluate(json, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        Assert.True(result.IsValid, $"{route} answered {status} {mediaType} with a body its schema refuses:{Environment.NewLine}" +
            string.Join(Environment.NewLine, Errors(result)) + $"{Environment.NewLine}Body: {body}");
        return json;
    }

    /// <summary>
    /// The document's path that <paramref name="requestPath"/> matches: literal segments exactly, <c>{name}</c> any one segment.
    /// </summary>
    private string PathTemplate(string requestPath)
    {
        var actual = requestPath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return document["paths"]!.AsObject().Select(pair => pair.Key)
            .Where(template => template.Split('/',
                StringSplitOptions.RemoveEmptyEntries) is var segments && segments.Length == actual.Length
                && segments.Zip(actual).All(pair => pair.First.StartsWith('{') || pair.First == Uri.UnescapeDataString(pair.Second)))
            .OrderByDescending(template => template.Split('/').Count(segment => !segment.StartsWith('{')))
            .FirstOrDefault() ?? throw Fail($"docs/openapi.yaml has no path for {requestPath}.");
    }

    /// <summary>A response or header object, following its <c>$ref</c> within the document; with the JSON pointer to what it is.</summary>
    private (JsonNode Node, string Pointer) Resolve(JsonNode node, string pointer)
    {
        if (node["$ref"]?.GetValue<string>() is not { } reference) return (node, pointer);
        var segments = reference.TrimStart('#', '/').Split('/').Select(segment => segment.Replace("~1", "/").Replace("~0", "~")).ToArray();
        var target = segments.Aggregate((JsonNode?)document, (current, segment) => current?[segment])
            ?? throw Fail($"docs/openapi.yaml has no {reference}.");
        return Resolve(target, Pointer(segments));
    }

    /// <summary>A JSON pointer in URI fragment form: each segment escaped (<c>~0</c>, <c>~1</c>) and percent-encoded.</summary>
    private static string Pointer(params string[] segments) =>
        string.Concat(segments.Select(segment => "/" + Uri.EscapeDataString(segment.Replace("~", "~0").Replace("/", "~1"))));

    private static IEnumerable<string> Errors(EvaluationResults result) =>
        (result.Details ?? []).Where(detail => detail.Errors is { Count: > 0 })
            .SelectMany(detail => detail.Errors!.Select(error =>
                $"  at '{detail.InstanceLocation}' ({detail.EvaluationPath}): {error.Value}"));

    private static Xunit.Sdk.XunitException Fail(string message) => new(message);
}
