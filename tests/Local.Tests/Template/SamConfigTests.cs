using System.Globalization;
using System.Text.RegularExpressions;
using Serverless.Local.Template;
using Serverless.Local.Tests.Emulators;

namespace Serverless.Local.Tests.Template;

/// <summary>samconfig.toml sets every parameter of template.yaml for each environment (dev and prod), each to a value the
/// parameter accepts, and nothing the template does not declare (CloudFormation refuses unknown parameters).</summary>
public sealed partial class SamConfigTests
{
    private static readonly SamTemplate Template = SamTemplate.Load(Path.Combine(EmulatorTestPaths.RepoRoot, "template.yaml"));
    private static readonly string Config = File.ReadAllText(Path.Combine(EmulatorTestPaths.RepoRoot, "samconfig.toml"));

    [Theory]
    [InlineData("default")]
    [InlineData("prod")]
    public void Each_environment_overrides_every_template_parameter_with_an_accepted_value(string environment)
    {
        var overrides = Overrides(environment);
        var parameters = Template.Parameters.Select(parameter => parameter.Key).ToHashSet();

        Assert.True(parameters.SetEquals(overrides.Keys),
            $"[{environment}.deploy.parameters] parameter_overrides: missing [{string.Join(", ", parameters.Except(overrides.Keys))}],"
                + $" not in template.yaml [{string.Join(", ", overrides.Keys.Except(parameters))}]");
        foreach (var (name, value) in overrides)
        {
            var parameter = Template.Parameters[name]!;
            if (parameter["AllowedValues"] is { } allowed)
                Assert.True(allowed.AsArray().Any(item => item!.ToString() == value),
                    $"{environment}: {name}={value} is not one of its AllowedValues");
            if (parameter["AllowedPattern"] is { } pattern)
                Assert.True(Regex.IsMatch(value, pattern.ToString()), $"{environment}: {name}={value} breaks its AllowedPattern {pattern}");
            if (parameter["Type"]!.GetValue<string>() != "Number") continue;
            var minimum = parameter["MinValue"] is { } min ? long.Parse(min.ToString(), CultureInfo.InvariantCulture) : long.MinValue;
            var maximum = parameter["MaxValue"] is { } max ? long.Parse(max.ToString(), CultureInfo.InvariantCulture) : long.MaxValue;
            Assert.True(long.TryParse(value, CultureInfo.InvariantCulture, out var number) && number >= minimum && number <= maximum,
                $"{environment}: {name}={value} is not a Number from its MinValue {minimum} to its MaxValue {maximum}");
        }
    }

    [Fact]
    public void Both_environments_have_their_own_stack()
    {
        Assert.Matches(@"\[default\.global\.parameters\]\s*stack_name = ""serverless-dev""", Config);
        Assert.Matches(@"\[prod\.global\.parameters\]\s*stack_name = ""serverless-prod""", Config);
    }

    private static Dictionary<string, string> Overrides(string environment)
    {
        var section = Regex.Match(Config, $@"\[{environment}\.deploy\.parameters\](?<body>[^\[]*)");
        Assert.True(section.Success, $"samconfig.toml has no [{environment}.deploy.parameters]");
        var line = ParameterOverrides().Match(section.Groups["body"].Value);
        Assert.True(line.Success, $"[{environment}.deploy.parameters] has no parameter_overrides");
        return Pair().Matches(line.Groups[1].Value).ToDictionary(pair => pair.Groups[1].Value, pair =>
            pair.Groups[2].Value.Trim('\\', '"'));
    }

    [GeneratedRegex(@"parameter_overrides\s*=\s*""((?:\\.|[^""\\])*)""")]
    private static partial Regex ParameterOverrides();

    /// <summary><c>Name=value</c> or <c>Name=\"a,b\"</c>, space-separated, as SAM reads them.</summary>
    [GeneratedRegex(@"(\w+)=(\\""[^\\]*\\""|\S+)")]
    private static partial Regex Pair();
}
