namespace Serverless.Kernel.Tests.Aws;

/// <summary>Tests that change process environment variables run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    public const string Name = "process environment";
}
