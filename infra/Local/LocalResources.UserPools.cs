using System.Text.Json.Nodes;
using Serverless.Local.Cognito;
using Serverless.Local.Lambda;

namespace Serverless.Local;

// The template's user pools and app clients on the Cognito emulator, with the password policies the Cognito front checks.
public sealed partial class LocalResources
{
    /// <summary>Creates each user pool, then each app client (a client names its pool).</summary>
    private async Task CreateUserPoolsAsync(Action<string> log, CancellationToken cancellationToken)
    {
        foreach (var (logicalId, properties) in template.ResourcesOfType("AWS::Cognito::UserPool"))
        {
            var request = resolver.Resolve(properties)!.AsObject();
            request["PoolName"] = request["UserPoolName"]?.DeepClone() ?? $"{LocalCloud.StackName}-{logicalId}";
            request.Remove("UserPoolName");
            // Under --persist the pool made by an earlier run is there (found by name): its id, users and tokens stay.
            var id = await cognito.FindUserPoolIdAsync(request["PoolName"]!.GetValue<string>(), cancellationToken)
                ?? (await cognito.SendAsync("CreateUserPool", request, cancellationToken)).GetProperty("UserPool").GetProperty("Id")
                    .GetString()!;
            refs[logicalId] = id;
            attributes[$"{logicalId}.Arn"] = $"arn:aws:cognito-idp:{LocalAccount.Region}:{LocalAccount.AccountId}:userpool/{id}";
            attributes[$"{logicalId}.ProviderName"] = $"cognito-idp.{LocalAccount.Region}.amazonaws.com/{id}";
            passwordPolicies[id] = PasswordPolicy.From(request["Policies"]?["PasswordPolicy"]);
            log($"[cognito] user pool {id}");
        }
        foreach (var (logicalId, properties) in template.ResourcesOfType("AWS::Cognito::UserPoolClient"))
        {
            var request = resolver.Resolve(properties)!.AsObject();
            WithCognitoTokenValidity(request);
            var poolId = request["UserPoolId"]!.GetValue<string>();
            var id = (request["ClientName"]?.GetValue<string>() is { } clientName
                    ? await cognito.FindUserPoolClientIdAsync(poolId, clientName, cancellationToken) : null)
                ?? (await cognito.SendAsync("CreateUserPoolClient", request, cancellationToken)).GetProperty("UserPoolClient")
                    .GetProperty("ClientId").GetString()!;
            refs[logicalId] = id;
            clientPools[id] = poolId;
            log($"[cognito] app client {id}");
        }
    }

    /// <summary>
    /// Fills in an app client's token lifetimes as Cognito does when the template leaves them out: access and ID tokens one
    /// hour, refresh tokens 30 days, in units of hours, hours and days. The emulator's own defaults are a day, a day and a
    /// week, and it would read an <c>IdTokenValidity</c> without units as minutes.
    /// </summary>
    internal static void WithCognitoTokenValidity(JsonObject client)
    {
        client["AccessTokenValidity"] ??= 1;
        client["IdTokenValidity"] ??= 1;
        client["RefreshTokenValidity"] ??= 30;
        if (client["TokenValidityUnits"] is not JsonObject units) client["TokenValidityUnits"] = units = [];
        units["AccessToken"] ??= "hours";
        units["IdToken"] ??= "hours";
        units["RefreshToken"] ??= "days";
    }
}
