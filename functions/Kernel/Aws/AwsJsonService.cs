namespace Serverless.Kernel.Aws;

/// <summary>
/// What a client needs to know to call one AWS JSON-protocol service.
/// </summary>
/// <param name="SigningName">The SigV4 service name in the credential scope (<c>cognito-idp</c>).</param>
/// <param name="EndpointPrefix">The host prefix of the regional endpoint: <c>https://{prefix}.{region}.amazonaws.com</c>.</param>
/// <param name="EnvironmentName">
/// The service's part of <c>AWS_ENDPOINT_URL_{name}</c>, from AWS's "Identifiers for service-specific endpoints"
/// table (<c>COGNITO_IDENTITY_PROVIDER</c>).
/// </param>
/// <param name="TargetPrefix">The part of <c>X-Amz-Target</c> before the operation (<c>AWSCognitoIdentityProviderService</c>).</param>
/// <param name="JsonVersion"><c>1.0</c> or <c>1.1</c>, for <c>Content-Type: application/x-amz-json-{version}</c>.</param>
public sealed record AwsJsonService(
    string SigningName, string EndpointPrefix, string EnvironmentName, string TargetPrefix, string JsonVersion)
{
    public string ContentType => $"application/x-amz-json-{JsonVersion}";
}
