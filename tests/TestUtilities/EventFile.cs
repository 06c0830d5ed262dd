using Serverless.Kernel.Runtime;

namespace Serverless.TestUtilities;

/// <summary>The repository's sample events (<c>events/{FunctionLogicalId}/*.json</c>), and handlers invoked with them.</summary>
public static class EventFile
{
    /// <summary>A sample event's bytes; <paramref name="path"/> is relative to the repository root.</summary>
    public static byte[] Read(string path) =>
        File.ReadAllBytes(Path.Combine(LocalEmulators.RepoRoot, path));

    /// <summary>
    /// Invokes the handler as the bootstrap does (<see cref="TestLambdaContext.RunAsync"/>).
    /// </summary>
    public static Task<byte[]> InvokeAsync(this LambdaHandler handler, byte[] payload, TestLambdaContext context) =>
        context.RunAsync(invocation => handler(payload, invocation));
}
