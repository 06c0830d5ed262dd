namespace Serverless.Profile.Tests;

/// <summary>
/// CreateProfile takes Cognito's <c>name</c> only as PATCH /me would: trimmed, cut to 64 characters, never with control
/// characters or empty; otherwise the email's local part under the same rule, otherwise "User".
/// </summary>
public sealed class CreateProfileDisplayNameTests
{
    private static string FromCognito(string? name, string email = "ada@example.com") =>
        CreateProfile.DefaultDisplayName(name is null ? [] : new Dictionary<string, string> { ["name"] = name }, email);

    [Fact]
    public void A_valid_name_is_kept_trimmed()
    {
        Assert.Equal("Ada Lovelace", FromCognito("  Ada Lovelace \t"));
        Assert.Null(PatchMe.Validate(new ProfilePatch(FromCognito("  Ada Lovelace \t"), null)).GetValueOrDefault("displayName"));
    }

    [Fact]
    public void A_name_over_64_characters_is_cut_to_64_and_never_inside_a_surrogate_pair()
    {
        Assert.Equal(new string('a', 64), FromCognito(new string('a', 300)));
        var emoji = new string('a', 63) + "\U0001F600" + "tail";
        Assert.Equal(new string('a', 63), FromCognito(emoji));
        Assert.Equal(new string('a', 60), FromCognito(new string('a', 60) + "    " + new string('b', 10)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Ada\u0000Lovelace")]
    [InlineData("Ada\nLovelace")]
    [InlineData("\u001b[31mred")]
    public void A_name_PATCH_me_would_refuse_is_dropped_for_the_emails_local_part(string name)
    {
        Assert.Equal("ada", FromCognito(name));
    }

    [Fact]
    public void Without_a_usable_name_or_email_the_name_is_User()
    {
        Assert.Equal("ada", FromCognito(null));
        Assert.Equal("User", FromCognito(null, ""));
        Assert.Equal("User", FromCognito("\u0007", "\u0007@example.com"));
        Assert.Equal(new string('x', 64), FromCognito(null, new string('x', 80) + "@example.com"));
    }

    [Fact]
    public void PATCH_me_and_CreateProfile_share_one_rule()
    {
        Assert.Equal(["displayName"], PatchMe.Validate(new ProfilePatch(new string('a', 65), null)).Keys);
        Assert.Equal(["displayName"], PatchMe.Validate(new ProfilePatch("a\u0000", null)).Keys);
        Assert.Empty(PatchMe.Validate(new ProfilePatch(new string('a', 64), null)));
    }
}
