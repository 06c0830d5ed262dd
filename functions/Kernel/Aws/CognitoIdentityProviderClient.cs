using Amazon.Runtime;

namespace Serverless.Kernel.Aws;

/// <summary>
/// The few Amazon Cognito user-pool operations the suite needs, over <see cref="AwsJsonClient"/>
/// (AWSSDK.CognitoIdentityProvider is not available to it). Errors are <see cref="AwsServiceException"/>s with the
/// service's own codes (<c>UserNotFoundException</c>, <c>NotAuthorizedException</c>, ...); the caller decides what each means.
/// </summary>
public sealed class CognitoIdentityProviderClient(AwsJsonClient client)
{
    /// <summary>Cognito user pools: signing name and host prefix <c>cognito-idp</c>, awsJson1_1.</summary>
    public static AwsJsonService Service { get; } = new(
        SigningName: "cognito-idp",
        EndpointPrefix: "cognito-idp",
        EnvironmentName: "COGNITO_IDENTITY_PROVIDER",
        TargetPrefix: "AWSCognitoIdentityProviderService",
        JsonVersion: "1.1");

    /// <summary>A client for the region and endpoint the environment names.</summary>
    public CognitoIdentityProviderClient(HttpClient http, TimeProvider? timeProvider = null, AWSCredentials? credentials = null)
        : this(new AwsJsonClient(http, Service, timeProvider, credentials))
    {
    }

    public AwsJsonClient Client { get; } = client;

    /// <summary>AdminDeleteUser. A user that does not exist is a <c>UserNotFoundException</c>.</summary>
    public Task AdminDeleteUserAsync(string userPoolId, string username, CancellationToken cancellationToken) =>
        Client.SendAsync("AdminDeleteUser", Input(userPoolId, username), CognitoJsonContext.Default.AdminUserRequest, cancellationToken);

    /// <summary>AdminDisableUser: the user can no longer sign in or refresh tokens. A user that does not exist is a
    /// <c>UserNotFoundException</c>.</summary>
    public Task AdminDisableUserAsync(string userPoolId, string username, CancellationToken cancellationToken) =>
        Client.SendAsync("AdminDisableUser", Input(userPoolId, username), CognitoJsonContext.Default.AdminUserRequest, cancellationToken);

    /// <summary>
    /// AdminUserGlobalSignOut: revokes every refresh token of the user (access tokens stay valid until they expire).
    /// A user that does not exist is a <c>UserNotFoundException</c>.
    /// </summary>
    public Task AdminUserGlobalSignOutAsync(string userPoolId, string username, CancellationToken cancellationToken) =>
        Client.SendAsync("AdminUserGlobalSignOut", Input(userPoolId, username),
            CognitoJsonContext.Default.AdminUserRequest, cancellationToken);

    /// <summary>AdminGetUser: the user's attributes, status and dates.</summary>
    public Task<AdminGetUserResponse> AdminGetUserAsync(string userPoolId, string username, CancellationToken cancellationToken) =>
        Client.SendAsync("AdminGetUser", Input(userPoolId, username),
            CognitoJsonContext.Default.AdminUserRequest, CognitoJsonContext.Default.AdminGetUserResponse, cancellationToken);

    private static AdminUserRequest Input(string userPoolId, string username)
    {
        ArgumentException.ThrowIfNullOrEmpty(userPoolId);
        ArgumentException.ThrowIfNullOrEmpty(username);
        return new AdminUserRequest(userPoolId, username);
    }
}
