using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Serverless.Local.Tests.Template;

/// <summary>
/// Every function's <c>Handler</c> is registered in its package's Program.cs (the <c>_HANDLER</c> the bootstrap dispatches
/// on) under the name of the type it registers, and declared as a type there; every registered handler is some function's;
/// and <c>sam build</c> (as the local cloud) finds the function's Makefile target in its <c>ContextPath</c>: the pattern rule
/// of functions/Function.mk publishing the group's one project. <see cref="AddResourceGroupTests"/> checks a new group so.
/// </summary>
public sealed partial class HandlerRegistrationTests(TemplateInvariantsFixture fixture) : IClassFixture<TemplateInvariantsFixture>
{
    private FunctionSources Sources => fixture.Sources;

    [Theory]
    [MemberData(nameof(TemplateInvariantsFixture.Functions), MemberType = typeof(TemplateInvariantsFixture))]
    public void The_handler_is_registered_in_Program_cs_and_declared_in_the_package(string function) =>
        AssertRegistered(Sources, function);

    [Fact]
    public void Every_registered_handler_is_the_handler_of_a_function_of_that_package() => AssertEveryRegistrationUsed(Sources);

    /// <summary>
    /// <c>[nameof(ProcessUpload)] = ReactiveFunctions.Handler&lt;FailStrandedUpload&gt;(...)</c> would run the wrong code.
    /// </summary>
    [Fact]
    public void Each_handler_is_registered_under_the_name_of_the_type_it_registers() => AssertRegisteredUnderTheirNames(Sources);

    [Fact]
    public void Registrations_are_read_from_Program_cs()
    {
        var program = Path.Combine(Sources.RepoRoot, "functions", "Profile", "Program.cs");
        Assert.Equal(["CreateProfile", "ProfileApi", "PurgeAccount"], Registered(program).Keys.Order());
    }

    [Theory]
    [MemberData(nameof(TemplateInvariantsFixture.Functions), MemberType = typeof(TemplateInvariantsFixture))]
    public Task The_functions_Makefile_target_publishes_its_groups_project(string function) => AssertMakeTargetAsync(Sources, function);

    internal static void AssertRegistered(FunctionSources sources, string function)
    {
        var handler = sources.Handler(function);
        var program = Path.Combine(sources.PackageDirectory(function), "Program.cs");

        Assert.True(File.Exists(program), $"{function}: its CodeUri has no Program.cs ({Relative(sources, program)}).");
        var registered = Registered(program);
        Assert.True(registered.ContainsKey(handler), $"{function}: Handler '{handler}' is not registered in {Relative(sources, program)}"
            + $" (registered: {string.Join(", ", registered.Keys)}).");
        Assert.True(sources.Declaring(function, handler).Count == 1,
            $"{function}: no single type named '{handler}' in {Relative(sources, sources.PackageDirectory(function))}.");
    }

    internal static void AssertEveryRegistrationUsed(FunctionSources sources)
    {
        var unused = new List<string>();
        foreach (var package in sources.Functions.GroupBy(sources.PackageDirectory))
        {
            var program = Path.Combine(package.Key, "Program.cs");
            if (!File.Exists(program)) continue;
            var used = package.Select(sources.Handler).ToHashSet();
            unused.AddRange(Registered(program).Keys.Where(handler => !used.Contains(handler)).Select(handler =>
                $"{Relative(sources, program)} registers '{handler}', which no function of template.yaml names as Handler"));
        }
        Assert.True(unused.Count == 0, string.Join(Environment.NewLine, unused));
    }

    internal static void AssertRegisteredUnderTheirNames(FunctionSources sources)
    {
        var wrong = sources.Functions.Select(sources.PackageDirectory).Distinct()
            .Select(package => Path.Combine(package, "Program.cs")).Where(File.Exists)
            .SelectMany(program => Registered(program)
                .Where(registration => !Regex.IsMatch(registration.Value, $@"\b{registration.Key}\b"))
                .Select(registration => $"{Relative(sources, program)}: '{registration.Key}' registers {registration.Value}"))
            .ToList();
        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
    }

    internal static async Task AssertMakeTargetAsync(FunctionSources sources, string function)
    {
        var metadata = sources.Template.Resources[function]!["Metadata"];
        Assert.Equal("makefile", metadata?["BuildMethod"]?.GetValue<string>());
        var contextPath = Path.Combine(sources.RepoRoot, metadata!["ContextPath"]!.GetValue<string>());
        Assert.Equal(sources.PackageDirectory(function), contextPath);
        Assert.Single(Directory.GetFiles(contextPath, "*.csproj"));

        // -n prints the recipe without running it.
        var start = new ProcessStartInfo("make", ["-n", "-C", contextPath, $"build-{function}", "ARTIFACTS_DIR=/artifacts"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var make = Process.Start(start)!;
        var output = make.StandardOutput.ReadToEndAsync();
        var error = make.StandardError.ReadToEndAsync();
        await make.WaitForExitAsync();

        Assert.True(make.ExitCode == 0, $"{function}: make build-{function} in {Relative(sources, contextPath)} failed: {await error}");
        Assert.Matches(@"(?m)^dotnet publish \S* -c Release -r linux-x64 --self-contained true -o /artifacts$", await output);
    }

    private static string Relative(FunctionSources sources, string path) => Path.GetRelativePath(sources.RepoRoot, path);

    /// <summary>Each registration of the handler dictionary: its name, and what it registers (the rest of its line).</summary>
    private static Dictionary<string, string> Registered(string program) =>
        Registration().Matches(File.ReadAllText(program)).ToDictionary(
            match => match.Groups[1].Success ? match.Groups[1].Value.Split('.')[^1] : match.Groups[2].Value,
            match => match.Groups["value"].Value.Trim());

    /// <summary><c>[nameof(Type)] = ...</c> or <c>["Name"] = ...</c> in the handler dictionary given to LambdaBootstrap.RunAsync.</summary>
    [GeneratedRegex(@"\[\s*(?:nameof\(\s*([\w.]+?)\s*\)|""([^""]+)"")\s*\]\s*=(?<value>[^\n]*)")]
    private static partial Regex Registration();
}
