namespace Serverless.ServiceDefaults;

/// <summary>A function's configuration as template.yaml sets it: environment variables read once, when the function starts.</summary>
public static class FunctionEnvironment
{
    /// <exception cref="InvalidOperationException">The variable is not set, or empty: the function cannot start.</exception>
    public static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set.");
}
