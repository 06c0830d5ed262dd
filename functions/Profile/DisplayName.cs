namespace Serverless.Profile;

/// <summary>
/// The one rule for a profile's display name, wherever it comes from (<c>PATCH /me</c>, Cognito's <c>name</c> at sign-up):
/// trimmed, 1 to <see cref="MaxLength"/> characters, no control characters.
/// </summary>
public static class DisplayName
{
    public const int MaxLength = 64;

    /// <summary>
    /// What is wrong with <paramref name="name"/> once trimmed, in words for the user; null when it is a valid display name.
    /// </summary>
    public static string? Problem(string name)
    {
        var trimmed = name.Trim();
        return trimmed.Length == 0 ? "The display name must not be empty."
            : trimmed.Length > MaxLength ? $"The display name must be at most {MaxLength} characters."
            : trimmed.Any(char.IsControl) ? "The display name must not contain control characters."
            : null;
    }

    /// <summary>
    /// A display name made from a value nobody validated (a Cognito attribute): trimmed, cut to <see cref="MaxLength"/>
    /// characters (never inside a surrogate pair) and trimmed again; null when that is empty or has control characters.
    /// </summary>
    public static string? From(string? value)
    {
        var name = value?.Trim() ?? "";
        if (name.Length > MaxLength)
            name = name[..(char.IsHighSurrogate(name[MaxLength - 1]) ? MaxLength - 1 : MaxLength)].TrimEnd();
        return Problem(name) is null ? name : null;
    }
}
