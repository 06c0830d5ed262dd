using System.Security.Claims;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Serverless.ServiceDefaults;

namespace Serverless.Profile;

/// <summary>The fields <c>PATCH /me</c> may change; a field left out stays as it is, an unknown field is refused.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ProfilePatch(string? DisplayName, string? Locale);

/// <summary><c>PATCH /me</c>: changes the display name or locale; 400 names each bad field.</summary>
public static partial class PatchMe
{
    public static RouteHandlerBuilder MapPatchMe(this RouteGroupBuilder me) => me.MapPatch("", HandleAsync).WithName(nameof(PatchMe));

    public static async Task<Results<Ok<UserProfile>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        ProfilePatch patch, ClaimsPrincipal user, Profiles profiles, CancellationToken cancellationToken)
    {
        var errors = Validate(patch);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var profile = await profiles.UpdateAsync(user.Sub(), patch.DisplayName?.Trim(), patch.Locale, cancellationToken);
        return profile is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: "There is no profile for this user.")
            : TypedResults.Ok(profile);
    }

    public static Dictionary<string, string[]> Validate(ProfilePatch patch)
    {
        var errors = new Dictionary<string, string[]>();
        if (patch.DisplayName is null && patch.Locale is null)
            errors["body"] = ["Send at least one of displayName, locale."];
        if (patch.DisplayName is { } name && DisplayName.Problem(name) is { } problem)
            errors["displayName"] = [problem];
        if (patch.Locale is { } locale && !LanguageTag().IsMatch(locale))
            errors["locale"] = ["The locale must be a language tag such as 'en' or 'en-GB'."];
        return errors;
    }

    [GeneratedRegex("^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8}){0,3}$")]
    private static partial Regex LanguageTag();
}
