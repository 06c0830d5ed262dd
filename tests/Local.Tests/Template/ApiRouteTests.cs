using Serverless.Local.Lambda;
using Serverless.Local.Template;

namespace Serverless.Local.Tests.Template;

/// <summary>
/// Every <c>HttpApi</c> route of template.yaml is served by an endpoint the function's code maps, and every endpoint the code
/// maps has a route to that function (endpoints every API shares, like <c>GET /health</c>, need a route to one function).
/// The code's endpoints are the built apps' own endpoint data (<see cref="ApiEndpoints"/>), not a reading of the source.
/// </summary>
public sealed class ApiRouteTests(TemplateInvariantsFixture fixture) : IClassFixture<TemplateInvariantsFixture>
{
    private FunctionSources Sources => fixture.Sources;

    [Theory]
    [MemberData(nameof(TemplateInvariantsFixture.Functions), MemberType = typeof(TemplateInvariantsFixture))]
    public async Task Template_routes_and_code_endpoints_match(string function)
    {
        var routes = Routes(function);
        var endpoints = await EndpointsAsync(function);
        if (endpoints is null)
        {
            Assert.True(routes.Count == 0,
                $"{function} has HttpApi routes ({string.Join(", ", routes)}) but its handler {Sources.Handler(function)}"
                    + " builds no ASP.NET Core app.");
            return;
        }
        var inCode = endpoints.Where(endpoint => !endpoint.Shared).Select(endpoint => endpoint.Route).ToHashSet();
        var problems = routes.Where(route => !inCode.Contains(route) && !endpoints.Any(e => e.Shared && e.Route == route))
            .Select(route =>
                $"template.yaml routes '{route}' to {function}, but {Sources.Handler(function)} maps no such endpoint"
                    + $" (it maps: {string.Join(", ", endpoints.Select(e => e.Route).Order())})")
            .Concat(inCode.Where(endpoint => !routes.Contains(endpoint))
                .Select(endpoint =>
                    $"{Sources.Handler(function)} maps '{endpoint}', but template.yaml has no HttpApi event with that Method and Path"
                        + $" on {function}"))
            .ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public async Task Each_endpoint_every_API_shares_is_routed_to_one_function()
    {
        var shared = new HashSet<string>();
        foreach (var function in Sources.Functions)
            foreach (var endpoint in await EndpointsAsync(function) ?? [])
                if (endpoint.Shared) shared.Add(endpoint.Route);
        Assert.Contains("GET /health", shared);
        var routed = Sources.Functions.SelectMany(function => Routes(function).Select(route => (route, function))).ToList();
        foreach (var route in shared)
        {
            var targets = routed.Where(pair => pair.route == route).Select(pair => pair.function).ToList();
            Assert.True(targets.Count == 1,
                $"'{route}' is mapped by every API ({ApiEndpoints.SharedAssembly}); template.yaml must route it to exactly one function,"
                    + $" not to: [{string.Join(", ", targets)}].");
        }
    }

    [Fact]
    public async Task The_endpoint_data_is_the_apps_own()
    {
        var endpoints = await EndpointsAsync("ProfileApiFunction");

        Assert.NotNull(endpoints);
        Assert.Equal(["DELETE /me", "GET /health", "GET /me", "PATCH /me"], endpoints.Select(e => e.Route).Order());
        Assert.True(endpoints.Single(e => e.Route == "GET /health").Shared);
        Assert.False(endpoints.Single(e => e.Route == "GET /me").Shared);
    }

    private List<string> Routes(string function) => Sources.HttpApiEvents(function).Select(trigger => trigger.Route).ToList();

    private Task<IReadOnlyList<ApiEndpoints.Endpoint>?> EndpointsAsync(string function) =>
        ApiEndpoints.ReadAsync(Sources.PackageDirectory(function), Sources.Handler(function),
            TemplateEnvironment(Sources.Template, function));

    /// <summary>The function's variables as template.yaml gives them (a resource is its logical id, as in <c>sam local
    /// invoke</c>).</summary>
    internal static IReadOnlyDictionary<string, string> TemplateEnvironment(SamTemplate template, string function)
    {
        var environment = new Dictionary<string, string>(FunctionDefinitions.Define(template, OfflineValues.Resolver(template),
            function, "/var/task", new Dictionary<string, string>()).Environment);
        foreach (var name in new[] { "PATH", "LANG", "TZ", "LAMBDA_TASK_ROOT", "DOTNET_GCHeapHardLimit" }) environment.Remove(name);
        return environment;
    }
}
