namespace Serverless.Kernel.Tests.Runtime;

/// <summary>
/// Tests that run the invocation loop (it sets <c>_X_AMZN_TRACE_ID</c>) or change other process-wide
/// <c>AWS_LAMBDA_*</c> variables run one at a time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LambdaEnvironmentCollection
{
    public const string Name = "Lambda environment";
}
