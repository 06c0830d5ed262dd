using System.Text.Json.Nodes;

namespace Serverless.Local.Cognito;

/// <summary>
/// A user pool's <c>Policies.PasswordPolicy</c>, checked as Cognito checks it: the first rule a
/// password breaks is the <c>InvalidPasswordException</c> message.
/// </summary>
public sealed record PasswordPolicy(int MinimumLength, bool RequireLowercase, bool RequireUppercase, bool RequireNumbers,
    bool RequireSymbols)
{
    /// <summary>Cognito's defaults when a pool names no policy.</summary>
    public static readonly PasswordPolicy Default = new(8, true, true, true, true);

    /// <summary>The characters Cognito counts as symbols (the space among them).</summary>
    public const string Symbols = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";

    public static PasswordPolicy From(JsonNode? passwordPolicy) => passwordPolicy is null ? Default : new(
        passwordPolicy["MinimumLength"]?.GetValue<int>() ?? Default.MinimumLength,
        passwordPolicy["RequireLowercase"]?.GetValue<bool>() ?? false,
        passwordPolicy["RequireUppercase"]?.GetValue<bool>() ?? false,
        passwordPolicy["RequireNumbers"]?.GetValue<bool>() ?? false,
        passwordPolicy["RequireSymbols"]?.GetValue<bool>() ?? false);

    /// <summary>Null when the password conforms; else the message Cognito answers with.</summary>
    public string? Violation(string password)
    {
        const string prefix = "Password did not conform with policy: ";
        if (password.Length < MinimumLength) return prefix + "Password not long enough";
        if (RequireUppercase && !password.Any(char.IsUpper)) return prefix + "Password must have uppercase characters";
        if (RequireLowercase && !password.Any(char.IsLower)) return prefix + "Password must have lowercase characters";
        if (RequireNumbers && !password.Any(char.IsAsciiDigit)) return prefix + "Password must have numeric characters";
        if (RequireSymbols && !password.Any(Symbols.Contains)) return prefix + "Password must have symbol characters";
        return null;
    }
}
