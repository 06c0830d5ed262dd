using Serverless.Local.Commands;

namespace Serverless.Local.Tests.Commands;

/// <summary><c>--parameter-overrides</c> takes what <c>sam deploy --parameter-overrides</c> takes.</summary>
public sealed class ParameterOverridesTests
{
    [Fact]
    public void Key_value_pairs_are_separated_by_spaces_and_a_list_keeps_its_commas()
    {
        var overrides = ParameterOverrides.Parse("CorsAllowedOrigins=http://localhost:5174,https://app.example.com  LogLevel=DEBUG");

        Assert.Equal(new Dictionary<string, string>
        {
            ["CorsAllowedOrigins"] = "http://localhost:5174,https://app.example.com",
            ["LogLevel"] = "DEBUG",
        }, overrides);
    }

    [Fact]
    public void The_AWS_CLI_form_and_quoted_or_escaped_values_are_read_as_SAM_reads_them()
    {
        var overrides = ParameterOverrides.Parse(
            """ParameterKey=PlanName,ParameterValue=free ModelEndpointName="my model" C="" A='it\'s' B=a\ b""");

        Assert.Equal(new Dictionary<string, string>
        {
            ["PlanName"] = "free",
            ["ModelEndpointName"] = "my model",
            ["A"] = "it's",
            ["B"] = "a b",
            ["C"] = "",
        }, overrides);
    }

    [Theory]
    [InlineData("")]
    [InlineData("LogLevel")]
    [InlineData("LogLevel=DEBUG oops")]
    [InlineData("Log-Level=DEBUG")]
    public void Anything_but_pairs_is_a_usage_error_that_shows_the_form(string text)
    {
        var error = Assert.Throws<UsageException>(() => ParameterOverrides.Parse(text));

        Assert.Contains("Key=Value", error.Message);
    }
}
