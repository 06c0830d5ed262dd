namespace Serverless.Local.Lambda;

/// <summary>
/// A function as the template defines it, resolved to local values. <see cref="ReservedConcurrency"/> is its
/// <c>ReservedConcurrentExecutions</c>, null without one (<see cref="AccountConcurrency"/>). Without an <see cref="EventInvokeConfig"/>,
/// asynchronous invocations get Lambda's defaults. <see cref="Alias"/> is the alias SAM publishes (<c>AutoPublishAlias</c>):
/// locally it runs the one code there is, as <c>$LATEST</c> does.
/// </summary>
public sealed record FunctionDefinition(
    string Name,
    string Handler,
    string PackageDirectory,
    TimeSpan Timeout,
    int MemorySize,
    int? ReservedConcurrency,
    IReadOnlyDictionary<string, string> Environment,
    EventInvokeConfig? EventInvokeConfig = null,
    string? Alias = null)
{
    public string Arn => $"arn:aws:lambda:{LocalAccount.Region}:{LocalAccount.AccountId}:function:{Name}";

    /// <summary>The same function run from another build of its package.</summary>
    public FunctionDefinition InPackage(string packageDirectory) => this with
    {
        PackageDirectory = packageDirectory,
        Environment = new Dictionary<string, string>(Environment) { ["LAMBDA_TASK_ROOT"] = packageDirectory },
    };
}

/// <summary>The account, region and credentials the local cloud presents itself as.</summary>
public static class LocalAccount
{
    public const string Region = "us-east-1";
    public const string AccountId = "000000000000";
    /// <summary>DynamoDB Local takes only alphanumeric access keys.</summary>
    public const string AccessKeyId = "local";
    public const string SecretAccessKey = "local";
}
