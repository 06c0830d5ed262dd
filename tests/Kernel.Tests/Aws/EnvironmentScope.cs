namespace Serverless.Kernel.Tests.Aws;

/// <summary>Clears the named environment variables for a test and puts them back afterwards.</summary>
internal sealed class EnvironmentScope : IDisposable
{
    private readonly Dictionary<string, string?> saved;

    public EnvironmentScope(IEnumerable<string> names)
    {
        saved = names.ToDictionary(name => name, Environment.GetEnvironmentVariable);
        foreach (var name in saved.Keys) Environment.SetEnvironmentVariable(name, null);
    }

    /// <summary>
    /// What Lambda gives a function (session credentials, region), the service's own endpoint variable set to
    /// <paramref name="endpoint"/>, and an <c>AWS_ENDPOINT_URL</c> that must lose to it.
    /// </summary>
    public static EnvironmentScope LambdaStyle(string endpointVariable, Uri endpoint)
    {
        var scope = new EnvironmentScope(
        [
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION",
            "AWS_ENDPOINT_URL", endpointVariable, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        ]);
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "ASIAENVEXAMPLE");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "envSecretEXAMPLE");
        Environment.SetEnvironmentVariable("AWS_SESSION_TOKEN", "IQoJb3JpZ2luX2VjEXAMPLE");
        Environment.SetEnvironmentVariable("AWS_REGION", "ap-southeast-2");
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL", "http://127.0.0.1:9/");
        Environment.SetEnvironmentVariable(endpointVariable, endpoint.ToString());
        return scope;
    }

    public void Dispose()
    {
        foreach (var (name, value) in saved) Environment.SetEnvironmentVariable(name, value);
    }
}
