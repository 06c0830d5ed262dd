using System.Text.Json.Nodes;
using Serverless.Local.Template;

namespace Serverless.Local.Tests.Template;

/// <summary>
/// docs/openapi.yaml, the frontend's API document, has exactly template.yaml's HTTP API routes (both ways), with the same
/// authorization: public where the route has <c>Authorizer: NONE</c>, else the bearer token with the route's scopes.
/// What each route answers is proven against the running API by the end-to-end contract tests.
/// </summary>
public sealed class OpenApiRouteTests(TemplateInvariantsFixture fixture) : IClassFixture<TemplateInvariantsFixture>
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

    private readonly JsonObject document = SamTemplate.Load(Path.Combine(fixture.Sources.RepoRoot, "docs", "openapi.yaml")).Root;

    [Fact]
    public void The_document_has_exactly_the_templates_routes()
    {
        var inTemplate = TemplateRoutes().Select(route => route.Route).ToHashSet();
        var inDocument = Operations().Select(operation => operation.Route).ToHashSet();

        var problems = inTemplate.Except(inDocument).Select(route =>
            $"template.yaml routes '{route}', but docs/openapi.yaml does not document it")
            .Concat(inDocument.Except(inTemplate).Select(route =>
                $"docs/openapi.yaml documents '{route}', but template.yaml has no such HttpApi route"))
            .ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Each_documented_route_asks_for_what_the_templates_authorizer_asks_for()
    {
        var documented = Operations().ToDictionary(operation => operation.Route, operation => operation.Security);
        var problems = new List<string>();
        foreach (var (route, auth) in TemplateRoutes())
        {
            if (!documented.TryGetValue(route, out var security)) continue;
            var expected = auth?["Authorizer"]?.GetValue<string>() == "NONE" ? "public" : Scoped(auth?["AuthorizationScopes"]);
            var actual = security.Count == 0 ? "public" : string.Join(" or ", security.Select(Documented));
            if (actual != expected) problems.Add($"'{route}': template.yaml asks for {expected}, docs/openapi.yaml for {actual}");
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.Equal("bearer", document["components"]?["securitySchemes"]?["cognito"]?["scheme"]?.GetValue<string>());
    }

    /// <summary>The API's one authorizer with its scopes, as the document's requirement <c>{cognito: [scopes]}</c> says it.</summary>
    private static string Scoped(JsonNode? scopes) =>
        $"cognito [{string.Join(", ", (scopes?.AsArray() ?? []).Select(scope => scope!.GetValue<string>()).Order())}]";

    private static string Documented(JsonNode? requirement) => requirement is JsonObject { Count: 1 } single
        && single.First().Key == "cognito"
        ? Scoped(single["cognito"])
        : $"an unknown requirement {requirement?.ToJsonString()}";

    private IEnumerable<(string Route, JsonNode? Auth)> TemplateRoutes() =>
        fixture.Sources.Functions.SelectMany(fixture.Sources.HttpApiEvents);

    /// <summary>Each operation as <c>METHOD /path</c> with its security requirements (the document's own when it has none).</summary>
    private IEnumerable<(string Route, JsonArray Security)> Operations() =>
        from path in document["paths"]!.AsObject()
        from method in Methods
        let operation = path.Value?[method]
        where operation is not null
        select ($"{method.ToUpperInvariant()} {path.Key}", (operation["security"] ?? document["security"] ?? new JsonArray()).AsArray());
}
