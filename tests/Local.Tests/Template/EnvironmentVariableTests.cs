using System.Text.RegularExpressions;

namespace Serverless.Local.Tests.Template;

/// <summary>
/// Every environment variable a function's code reads is defined for that function in template.yaml (its
/// <c>Environment.Variables</c> or <c>Globals</c>). A read is <c>GetEnvironmentVariable("X")</c>, or a literal given to
/// a helper that passes its parameter to it, in the code the function's
/// handler reaches (<see cref="FunctionSources"/>).
/// Lambda's own variables and the AWS SDK's (<c>AWS_*</c>, <c>_HANDLER</c>, <c>_X_AMZN_TRACE_ID</c>, <c>LAMBDA_*</c>)
/// are not the template's.
/// </summary>
public sealed partial class EnvironmentVariableTests(TemplateInvariantsFixture fixture) : IClassFixture<TemplateInvariantsFixture>
{
    private FunctionSources Sources => fixture.Sources;

    [Theory]
    [MemberData(nameof(TemplateInvariantsFixture.Functions), MemberType = typeof(TemplateInvariantsFixture))]
    public void Every_variable_the_code_reads_is_defined_for_the_function(string function)
    {
        var defined = (Sources.Template.FunctionProperties(function)["Environment"]?["Variables"]?.AsObject() ?? []).Select(pair =>
            pair.Key).ToHashSet();

        var missing = Reads(function)
            .Where(read => !IsLambdas(read.Name) && !defined.Contains(read.Name))
            .Select(read =>
                $"{function}: {read.File} reads {read.Name}, which template.yaml does not define for {function}"
                    + " (Environment.Variables or Globals.Function.Environment)")
            .ToList();

        Assert.True(missing.Count == 0, string.Join(Environment.NewLine, missing));
    }

    [Fact]
    public void Reads_are_found_through_the_code_the_handler_reaches()
    {
        Assert.Contains(Reads("ProfileApiFunction"), read =>
            read is { Name: "USER_POOL_ID", File: "functions/Profile/ProfileApiSettings.cs" });
        Assert.Contains(Reads("CreateProfileFunction"), read => read is { Name: "TABLE_NAME", File: "functions/ServiceDefaults/Table.cs" });
        Assert.DoesNotContain(Reads("CreateProfileFunction"), read => read.Name == "USER_POOL_ID");
    }

    /// <summary><c>GetEnvironmentVariable("X")</c>, and <c>Helper("X")</c> for a member <c>Helper(string name)</c> that reads
    /// <c>GetEnvironmentVariable(name)</c>, in the members the function reaches.</summary>
    private List<(string Name, string File)> Reads(string function)
    {
        var members = Sources.ReachableMembers(function);
        var readers = members.Where(member => VariableParameter().IsMatch(member.Code)).Select(member => member.Name).ToHashSet();
        return members
            .SelectMany(member => DirectRead().Matches(member.Text)
                .Concat(readers.SelectMany(reader => new Regex($@"\b{reader}\(\s*""([A-Z_][A-Z0-9_]*)""").Matches(member.Text)))
                .Select(match => (match.Groups[1].Value, Sources.Relative(member.File))))
            .Distinct()
            .ToList();
    }

    private static bool IsLambdas(string name) =>
        name.StartsWith("AWS_", StringComparison.Ordinal) || name.StartsWith("LAMBDA_", StringComparison.Ordinal) || name.StartsWith('_');

    [GeneratedRegex(@"GetEnvironmentVariable\(\s*""([A-Z_][A-Z0-9_]*)""\s*\)")]
    private static partial Regex DirectRead();

    [GeneratedRegex(@"GetEnvironmentVariable\(\s*[a-z]\w*\s*\)")]
    private static partial Regex VariableParameter();
}
