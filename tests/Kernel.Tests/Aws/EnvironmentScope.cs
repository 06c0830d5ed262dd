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

    public void Dispose()
    {
        foreach (var (name, value) in saved) Environment.SetEnvironmentVariable(name, value);
    }
}
