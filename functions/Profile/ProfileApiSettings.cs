using Serverless.ServiceDefaults;

namespace Serverless.Profile;

/// <summary>
/// The Profile API's configuration, read once when it starts: the Cognito user pool (<c>USER_POOL_ID</c>) and the function
/// that purges a deleted account (<c>PURGE_ACCOUNT_FUNCTION</c>).
/// </summary>
public sealed record ProfileApiSettings(string UserPoolId, string PurgeAccountFunction)
{
    public static ProfileApiSettings FromEnvironment() =>
        new(FunctionEnvironment.Required("USER_POOL_ID"), FunctionEnvironment.Required("PURGE_ACCOUNT_FUNCTION"));
}
