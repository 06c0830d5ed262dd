using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace Serverless.Kernel.Aws;

/// <summary>The credentials a client signs with: the ones it was given, else AWSSDK.Core's default chain, asked on each call.</summary>
internal static class AwsCredentialResolver
{
    private static readonly Lazy<DefaultAWSCredentialsIdentityResolver> DefaultCredentials =
        new(() => new DefaultAWSCredentialsIdentityResolver());

    public static async Task<ImmutableCredentials> ResolveAsync(AWSCredentials? credentials, CancellationToken cancellationToken)
    {
        var source = credentials
            ?? await DefaultCredentials.Value.ResolveIdentityAsync(null, cancellationToken).ConfigureAwait(false);
        var identity = await source.GetCredentialsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        return identity ?? throw new InvalidOperationException("The AWS credentials resolved to nothing; anonymous calls are not signed.");
    }
}
