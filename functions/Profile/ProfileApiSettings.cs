using Serverless.ServiceDefaults;

namespace Serverless.Profile;

/// <summary>The Profile API's configuration, read once when it starts: the Cognito user pool (<c>USER_POOL_ID</c>).</summary>
public sealed record ProfileApiSettings(string UserPoolId)
{
    public static ProfileApiSettings FromEnvironment() => new(FunctionEnvironment.Required("USER_POOL_ID"));
}
