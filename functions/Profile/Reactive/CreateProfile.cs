using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Kernel.Events;
using Serverless.Kernel.Runtime;
using Serverless.ServiceDefaults;

namespace Serverless.Profile;

/// <summary>
/// Cognito <c>PostConfirmation</c> trigger: creates the new user's profile. Idempotent: Cognito may
/// deliver the same confirmation twice, and the second changes nothing. Answers with the event, as
/// Cognito expects.
/// </summary>
public sealed class CreateProfile(Profiles profiles, ILogger<CreateProfile> logger)
    : ReactiveHandler<CognitoPostConfirmationEvent, CognitoPostConfirmationEvent>(
        KernelJsonContext.Default.CognitoPostConfirmationEvent, KernelJsonContext.Default.CognitoPostConfirmationEvent)
{
    public static void AddServices(IServiceCollection services) => services.AddFunctionDefaults().AddSingleton<Profiles>();

    public override async Task<CognitoPostConfirmationEvent> HandleAsync(
        CognitoPostConfirmationEvent trigger, LambdaContext context)
    {
        await HandleAsync(trigger, profiles, logger, context.CancellationToken);
        return trigger;
    }

    public static async Task HandleAsync(
        CognitoPostConfirmationEvent trigger, Profiles profiles, ILogger logger, CancellationToken cancellationToken)
    {
        if (trigger.TriggerSource != "PostConfirmation_ConfirmSignUp")
        {
            logger.LogInformation("Nothing to do for {TriggerSource}", trigger.TriggerSource);
            return;
        }
        var attributes = trigger.Request.UserAttributes;
        var sub = attributes.GetValueOrDefault("sub") ?? throw new InvalidDataException("The trigger's userAttributes have no 'sub'.");
        var email = attributes.GetValueOrDefault("email") ?? "";
        var created = await profiles.CreateAsync(sub, email, DefaultDisplayName(attributes, email), cancellationToken);
        logger.LogInformation(created ? "Created the profile of {UserSub}" : "The profile of {UserSub} exists already", sub);
    }

    /// <summary>
    /// The <c>name</c> attribute when the sign-up gave one that <see cref="DisplayName"/>'s rule takes (trimmed, cut to its
    /// length), else the email's local part likewise, else "User": Cognito checks neither against the rule PATCH /me keeps.
    /// </summary>
    public static string DefaultDisplayName(Dictionary<string, string> attributes, string email) =>
        DisplayName.From(attributes.GetValueOrDefault("name")) ?? DisplayName.From(email.Split('@')[0]) ?? "User";
}
