using System.Globalization;
using System.Text.Json.Nodes;
using Serverless.Local.Template;

namespace Serverless.Local.Lambda;

/// <summary>A function of the template as the local Lambda service runs it: the environment Lambda sets, the template's
/// variables resolved, and the local endpoints every AWS SDK honours (<c>AWS_ENDPOINT_URL_{SERVICE}</c>).</summary>
public static class FunctionDefinitions
{
    /// <param name="endpoints">Service → URL, e.g. <c>DYNAMODB</c> → the DynamoDB emulator.</param>
    public static FunctionDefinition Define(SamTemplate template, IntrinsicResolver resolver, string logicalId, string packageDirectory,
        IReadOnlyDictionary<string, string> endpoints)
    {
        var properties = template.FunctionProperties(logicalId);
        var name = NameOf(logicalId, properties, resolver);
        var memory = properties["MemorySize"]?.GetValue<int>() ?? 128;
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
            ["LANG"] = "en_US.UTF-8",
            ["TZ"] = ":UTC",
            ["_HANDLER"] = resolver.ResolveString(properties["Handler"]),
            ["LAMBDA_TASK_ROOT"] = packageDirectory,
            ["AWS_REGION"] = LocalAccount.Region,
            ["AWS_DEFAULT_REGION"] = LocalAccount.Region,
            ["AWS_ACCESS_KEY_ID"] = LocalAccount.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = LocalAccount.SecretAccessKey,
            ["AWS_LAMBDA_FUNCTION_NAME"] = name,
            ["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST",
            ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = memory.ToString(CultureInfo.InvariantCulture),
            ["AWS_LAMBDA_LOG_GROUP_NAME"] = $"/aws/lambda/{name}",
            ["AWS_LAMBDA_LOG_FORMAT"] = resolver.ResolveString(properties["LoggingConfig"]?["LogFormat"]) is { Length: > 0 } format
                ? format : "Text",
            // The memory size caps the managed heap, as the sandbox's memory caps the process on Lambda.
            ["DOTNET_GCHeapHardLimit"] = $"0x{(long)memory * 1024 * 1024 * 3 / 4:X}",
        };
        foreach (var (service, url) in endpoints)
            environment[$"AWS_ENDPOINT_URL_{service}"] = url;
        if (resolver.ResolveString(properties["LoggingConfig"]?["ApplicationLogLevel"]) is { Length: > 0 } level)
            environment["AWS_LAMBDA_LOG_LEVEL"] = level;
        foreach (var (variable, value) in resolver.Resolve(properties["Environment"]?["Variables"])?.AsObject() ?? [])
            environment[variable] = value?.ToString() ?? "";
        return new FunctionDefinition(
            name,
            environment["_HANDLER"],
            packageDirectory,
            TimeSpan.FromSeconds(properties["Timeout"]?.GetValue<int>() ?? 3),
            memory,
            // A reservation may come from a parameter (a string), or be left out through AWS::NoValue.
            resolver.Resolve(properties["ReservedConcurrentExecutions"]) is { } reserved
                ? int.Parse(reserved.ToString(), CultureInfo.InvariantCulture) : null,
            environment,
            EventInvokeConfig.From(resolver.Resolve(properties["EventInvokeConfig"])),
            resolver.Resolve(properties["AutoPublishAlias"])?.ToString());
    }

    /// <summary>
    /// A function's name: its <c>FunctionName</c> resolved, else the logical id (where AWS would generate
    /// <c>{stack}-{logicalId}-{suffix}</c>). Functions are registered, invoked and named in ARNs by it.
    /// </summary>
    public static string NameOf(string logicalId, JsonObject properties, IntrinsicResolver resolver) =>
        properties["FunctionName"] is { } given ? resolver.ResolveString(given) : logicalId;
}
