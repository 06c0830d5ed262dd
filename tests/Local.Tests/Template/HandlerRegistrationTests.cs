using System.Text.RegularExpressions;

namespace Serverless.Local.Tests.Template;

/// <summary>Every function's <c>Handler</c> is registered in its package's Program.cs (the <c>_HANDLER</c> the bootstrap
/// dispatches on) and declared as a type there; every registered handler is some function's.</summary>
public sealed partial class HandlerRegistrationTests(TemplateInvariantsFixture fixture) : IClassFixture<TemplateInvariantsFixture>
{
    private FunctionSources Sources => fixture.Sources;

    [Theory]
    [MemberData(nameof(TemplateInvariantsFixture.Functions), MemberType = typeof(TemplateInvariantsFixture))]
    public void The_handler_is_registered_in_Program_cs_and_declared_in_the_package(string function)
    {
        var handler = Sources.Handler(function);
        var program = Path.Combine(Sources.PackageDirectory(function), "Program.cs");

        Assert.True(File.Exists(program), $"{function}: its CodeUri has no Program.cs ({Path.GetRelativePath(Sources.RepoRoot, program)}).");
        var registered = Registered(program);
        Assert.True(registered.Contains(handler),
            $"{function}: Handler '{handler}' is not registered in {Path.GetRelativePath(Sources.RepoRoot, program)} (registered: {string.Join(", ", registered)}).");
        Assert.True(Sources.Declaring(function, handler).Count == 1,
            $"{function}: no single type named '{handler}' in {Path.GetRelativePath(Sources.RepoRoot, Sources.PackageDirectory(function))}.");
    }

    [Fact]
    public void Every_registered_handler_is_the_handler_of_a_function_of_that_package()
    {
        var packages = Sources.Functions.GroupBy(Sources.PackageDirectory);
        var unused = new List<string>();
        foreach (var package in packages)
        {
            var program = Path.Combine(package.Key, "Program.cs");
            if (!File.Exists(program)) continue;
            var used = package.Select(Sources.Handler).ToHashSet();
            unused.AddRange(Registered(program).Where(handler => !used.Contains(handler))
                .Select(handler => $"{Path.GetRelativePath(Sources.RepoRoot, program)} registers '{handler}', which no function of template.yaml names as Handler"));
        }
        Assert.True(unused.Count == 0, string.Join(Environment.NewLine, unused));
    }

    [Fact]
    public void Registrations_are_read_from_Program_cs()
    {
        var program = Path.Combine(Sources.RepoRoot, "functions", "Profile", "Program.cs");
        Assert.Equal(["CreateProfile", "ProfileApi", "PurgeAccount"], Registered(program).Order());
    }

    private static IReadOnlySet<string> Registered(string program) =>
        Registration().Matches(File.ReadAllText(program))
            .Select(match => match.Groups[1].Success ? match.Groups[1].Value.Split('.')[^1] : match.Groups[2].Value).ToHashSet();

    /// <summary><c>[nameof(Type)] = ...</c> or <c>["Name"] = ...</c> in the handler dictionary given to LambdaBootstrap.RunAsync.</summary>
    [GeneratedRegex(@"\[\s*(?:nameof\(\s*([\w.]+?)\s*\)|""([^""]+)"")\s*\]\s*=")]
    private static partial Regex Registration();
}
