using System.Text.Json;
using Amazon.DynamoDBv2;
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
public static class CreateProfile
{
    public static Task<LambdaHandler> CreateHandlerAsync(ILoggerFactory loggers)
    {
        var profiles = new Profiles(new AmazonDynamoDBClient(), Table.FromEnvironment(), TimeProvider.System);
        var logger = loggers.CreateLogger(typeof(CreateProfile));
        return Task.FromResult<LambdaHandler>(async (payload, context) =>
        {
            var trigger = JsonSerializer.Deserialize(payload, KernelJsonContext.Default.CognitoPostConfirmationEvent)
                ?? throw new JsonException("The event is not a Cognito PostConfirmation trigger.");
            await HandleAsync(trigger, profiles, logger, context.CancellationToken);
            return payload;
        });
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
