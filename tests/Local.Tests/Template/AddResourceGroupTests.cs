using System.Diagnostics;
using System.Text.RegularExpressions;
using Serverless.Local.Tests.Emulators;
using Serverless.TestUtilities;

namespace Serverless.Local.Tests.Template;

/// <summary>
/// The README's "Add a resource group" steps, as written: in a copy of the repository's functions, template and API
/// document, each file the section names is written (or, "under" a line, inserted below it), the new group is built (its
/// warnings are errors, trimming analysis included), and every function of the grown template passes
/// <see cref="HandlerRegistrationTests"/>' checks; the new API maps the route the section gives the template.
/// </summary>
public sealed partial class AddResourceGroupTests
{
    [Fact]
    public async Task The_READMEs_steps_add_a_group_that_builds_and_that_the_template_checks_find()
    {
        var repo = EmulatorTestPaths.RepoRoot;
        var copy = EmulatorTestPaths.NewScratchDirectory("add-group");
        try
        {
            RepositoryCopy.Create(repo, copy);
            var steps = Steps(await File.ReadAllTextAsync(Path.Combine(repo, "README.md")));
            Assert.True(steps.Count >= 8, $"The README's 'Add a resource group' has {steps.Count} files; expected the 8 of a group.");
            foreach (var (path, under, code) in steps) await ApplyAsync(Path.Combine(copy, path), under, code);
            var project = steps.Select(step => step.Path).Single(path => path.EndsWith(".csproj", StringComparison.Ordinal));

            var (exitCode, output) =
                await RunAsync("dotnet", ["build", Path.Combine(copy, project), "-c", ApiEndpoints.Configuration, "-v", "q"]);
            Assert.True(exitCode == 0, $"dotnet build {project} failed:{Environment.NewLine}{output}");

            var sources = FunctionSources.Load(copy);
            var group = Path.Combine(copy, Path.GetDirectoryName(project)!);
            var added = sources.Functions.Where(function => sources.PackageDirectory(function) == group).ToList();
            Assert.Equal(2, added.Count);
            foreach (var function in sources.Functions)
            {
                HandlerRegistrationTests.AssertRegistered(sources, function);
                await HandlerRegistrationTests.AssertMakeTargetAsync(sources, function);
            }
            HandlerRegistrationTests.AssertEveryRegistrationUsed(sources);
            HandlerRegistrationTests.AssertRegisteredUnderTheirNames(sources);
            var routes = new List<string>();
            foreach (var function in added)
                routes.AddRange((await ApiEndpoints.ReadAsync(group, sources.Handler(function), new Dictionary<string, string>
                {
                    ["TABLE_NAME"] = "table",
                }) ?? []).Where(endpoint => !endpoint.Shared).Select(endpoint => endpoint.Route));
            Assert.Equal(added.SelectMany(sources.HttpApiEvents).Select(trigger => trigger.Route).Order(), routes.Order());
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    /// <summary>Each file of the section: a paragraph opening with the file's path in backticks, then its code block.</summary>
    private static List<(string Path, string? Under, string Code)> Steps(string readme)
    {
        var section = Regex.Match(readme, @"(?ms)^## Add a resource group$(.*?)(?=^## )").Groups[1].Value;
        return Step().Matches(section).Select(match => (match.Groups["path"].Value,
            match.Groups["under"].Success ? match.Groups["under"].Value : null, match.Groups["code"].Value)).ToList();
    }

    private static async Task ApplyAsync(string path, string? under, string code)
    {
        if (under is null)
        {
            Assert.False(File.Exists(path), $"{path} is a new file of the group, yet it exists.");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, code);
            return;
        }
        var text = await File.ReadAllTextAsync(path);
        var anchor = Regex.Match(text, $"(?m)^{Regex.Escape(under)}\n");
        Assert.True(anchor.Success, $"{path} has no line '{under}' to add below.");
        await File.WriteAllTextAsync(path, text.Insert(anchor.Index + anchor.Length, code));
    }

    internal static async Task<(int ExitCode, string Output)> RunAsync(string command, string[] arguments)
    {
        var start = new ProcessStartInfo(command, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    /// <summary>
    /// <c>`path`</c> opening a paragraph (with <c>under `line`</c> in it for an insertion), up to the fenced block that follows.
    /// </summary>
    [GeneratedRegex(@"(?ms)^`(?<path>[\w./-]+)`(?:(?!^```).)*?(?:under `(?<under>[^`]+)`(?:(?!^```).)*?)?^```\w*\n(?<code>.*?)^```$")]
    private static partial Regex Step();
}
