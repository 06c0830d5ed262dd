namespace Serverless.Kernel.Aws;

/// <summary>
/// Region and endpoint resolution from the standard AWS environment variables, as the AWS SDKs do it.
/// </summary>
public static class AwsEnvironment
{
    /// <summary><c>AWS_REGION</c> (set by Lambda), else <c>AWS_DEFAULT_REGION</c>, else null.</summary>
    public static string? Region(Func<string, string?>? variables = null)
    {
        variables ??= Environment.GetEnvironmentVariable;
        return NonEmpty(variables("AWS_REGION")) ?? NonEmpty(variables("AWS_DEFAULT_REGION"));
    }

    /// <summary>Like <see cref="Region"/>, but a missing region is an error.</summary>
    public static string RequireRegion(Func<string, string?>? variables = null) =>
        Region(variables) ?? throw new InvalidOperationException(
            "No AWS region: set AWS_REGION (Lambda sets it) or AWS_DEFAULT_REGION.");

    /// <summary>The service-specific endpoint variable, e.g. <c>AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER</c>.</summary>
    public static string EndpointVariable(string serviceEnvironmentName) =>
        "AWS_ENDPOINT_URL_" + serviceEnvironmentName;

    /// <summary>
    /// <c>AWS_ENDPOINT_URL_{SERVICE}</c> if set, else <c>AWS_ENDPOINT_URL</c>, else the regional default
    /// (<c>https://{prefix}.{region}.amazonaws.com</c>, <c>.amazonaws.com.cn</c> in the China regions).
    /// <c>AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true</c> skips both variables.
    /// </summary>
    public static Uri Endpoint(string serviceEnvironmentName, string endpointPrefix, string region, Func<string, string?>? variables = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceEnvironmentName);
        ArgumentException.ThrowIfNullOrEmpty(endpointPrefix);
        ArgumentException.ThrowIfNullOrEmpty(region);
        variables ??= Environment.GetEnvironmentVariable;
        if (!string.Equals(NonEmpty(variables("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")), "true", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var name in new[] { EndpointVariable(serviceEnvironmentName), "AWS_ENDPOINT_URL" })
            {
                if (NonEmpty(variables(name)) is not { } configured) continue;
                return Uri.TryCreate(configured, UriKind.Absolute, out var uri)
                    && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
                    ? uri
                    : throw new InvalidOperationException($"{name} is not an absolute http(s) URL: '{configured}'.");
            }
        }
        var suffix = region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com";
        return new Uri($"https://{endpointPrefix}.{region}.{suffix}/");
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
