using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Serverless.Local.Tests.Template;

/// <summary>
/// The endpoints an API function's code really maps: its package's built assembly (each in its own load context, as every
/// package is named <c>bootstrap</c>) is loaded, the handler type's <c>Build(host)</c> builds the app with the function's
/// template environment, and the app's endpoint data sources list each route (<c>METHOD /path</c>, constraints dropped).
/// </summary>
public static partial class ApiEndpoints
{
    /// <summary>The configuration the packages were built in: the tests'.</summary>
#if DEBUG
    internal const string Configuration = "Debug";
#else
    internal const string Configuration = "Release";
#endif

    private static readonly Lock EnvironmentLock = new();

    /// <summary>Where the endpoints every API maps come from (<c>UseServiceDefaults</c>: <c>GET /health</c>).</summary>
    public const string SharedAssembly = "Serverless.ServiceDefaults";

    /// <param name="Shared">Mapped by <see cref="SharedAssembly"/> in every API, not by the function's own code.</param>
    public sealed record Endpoint(string Route, bool Shared, string DisplayName);

    /// <summary>The endpoints, or null when the handler type has no <c>static WebApplication Build(Action&lt;WebApplicationBuilder&gt;)</c>
    /// (not an API function).</summary>
    public static async Task<IReadOnlyList<Endpoint>?> ReadAsync(string packageDirectory, string handler,
        IReadOnlyDictionary<string, string> environment)
    {
        var assemblyPath = AssemblyPath(packageDirectory);
        var assembly = new PackageLoadContext(assemblyPath).LoadFromAssemblyPath(assemblyPath);
        var build = assembly.GetTypes().SingleOrDefault(type => type.Name == handler)
            ?.GetMethod("Build", BindingFlags.Public | BindingFlags.Static, [typeof(Action<WebApplicationBuilder>)]);
        if (build is null || build.ReturnType != typeof(WebApplication)) return null;
        WebApplication app;
        lock (EnvironmentLock)
        {
            var saved = environment.Keys.ToDictionary(name => name, System.Environment.GetEnvironmentVariable);
            foreach (var (name, value) in environment) System.Environment.SetEnvironmentVariable(name, value);
            try
            {
                app = (WebApplication)build.Invoke(null, [(Action<WebApplicationBuilder>)(_ => { })])!;
            }
            finally
            {
                foreach (var (name, value) in saved) System.Environment.SetEnvironmentVariable(name, value);
            }
        }
        await using (app)
        {
            return ((IEndpointRouteBuilder)app).DataSources.SelectMany(source => source.Endpoints).OfType<RouteEndpoint>()
                .SelectMany(endpoint => (endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["ANY"]).Select(method =>
                    new Endpoint(
                    $"{method} /{Parameter().Replace(endpoint.RoutePattern.RawText!.TrimStart('/'), Normalize)}".TrimEnd('/'),
                    endpoint.Metadata.GetMetadata<MethodInfo>()?.DeclaringType?.Assembly.GetName().Name == SharedAssembly,
                    endpoint.DisplayName ?? endpoint.RoutePattern.RawText!)))
                .ToList();
        }
    }

    /// <summary>API Gateway's spelling of a route parameter: <c>{id:guid}</c> → <c>{id}</c>, <c>{*rest}</c> → <c>{rest+}</c>.</summary>
    private static string Normalize(Match match) =>
        match.Groups["greedy"].Success ? $"{{{match.Groups["name"].Value}+}}" : $"{{{match.Groups["name"].Value}}}";

    private static string AssemblyPath(string packageDirectory)
    {
        // Every group's assembly is its package's bootstrap (functions/Directory.Build.props).
        var path = Path.Combine(packageDirectory, "bin", Configuration, "net10.0", "bootstrap.dll");
        return File.Exists(path) ? path
            : throw new FileNotFoundException($"{path} is not built (Local.Tests builds every functions/*/*.csproj first).");
    }

    [GeneratedRegex(@"\{(?<greedy>\*{1,2})?(?<name>[^}:?=]+)[^}]*\}")]
    private static partial Regex Parameter();

    /// <summary>A package's own assemblies; the framework and what the tests share with it (the kernel, AWSSDK.Core)
    /// from the default context.</summary>
    private sealed class PackageLoadContext(string mainAssembly) : AssemblyLoadContext(isCollectible: false)
    {
        private readonly AssemblyDependencyResolver resolver = new(mainAssembly);

        protected override Assembly? Load(AssemblyName name)
        {
            try
            {
                return Default.LoadFromAssemblyName(name);
            }
            catch (FileNotFoundException)
            {
                return resolver.ResolveAssemblyToPath(name) is { } path ? LoadFromAssemblyPath(path) : null;
            }
        }
    }
}
