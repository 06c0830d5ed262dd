using System.Text.Json.Nodes;
using Serverless.Local.Cognito;

namespace Serverless.Local.Tests.Cognito;

public sealed class PasswordPolicyTests
{
    private static readonly PasswordPolicy Template = PasswordPolicy.From(JsonNode.Parse("""
        {"MinimumLength": 8, "RequireLowercase": true, "RequireUppercase": true, "RequireNumbers": true, "RequireSymbols": false}
        """));

    [Theory]
    [InlineData("Passw0rd", null)]
    [InlineData("Pass w0rd!", null)]
    [InlineData("Pa55wor", "Password did not conform with policy: Password not long enough")]
    [InlineData("passw0rd", "Password did not conform with policy: Password must have uppercase characters")]
    [InlineData("PASSW0RD", "Password did not conform with policy: Password must have lowercase characters")]
    [InlineData("Password", "Password did not conform with policy: Password must have numeric characters")]
    public void The_templates_policy_names_the_first_rule_a_password_breaks(string password, string? violation) =>
        Assert.Equal(violation, Template.Violation(password));

    [Fact]
    public void Symbols_are_required_only_when_the_policy_says_so()
    {
        var strict = Template with { RequireSymbols = true };

        Assert.Equal("Password did not conform with policy: Password must have symbol characters", strict.Violation("Passw0rd"));
        Assert.Null(strict.Violation("Passw0rd^"));
        Assert.Null(strict.Violation("Pass w0rd"));
    }

    [Fact]
    public void A_pool_without_a_policy_gets_Cognitos_default_policy()
    {
        var policy = PasswordPolicy.From(null);

        Assert.Equal(new PasswordPolicy(8, true, true, true, true), policy);
        Assert.NotNull(policy.Violation("Passw0rd"));
    }
}
