using Serverless.Kernel.Runtime;

namespace Serverless.TestUtilities;

/// <summary>The repository's sample events (<c>events/{FunctionLogicalId}/*.json</c>), and handlers invoked with them.</summary>
public static class EventFile
{
    /// <summary>A sample event's bytes; <paramref name="path"/> is relative to the repository root.</summary>
    public static byte[] Read(string path) =>
        File.ReadAllBytes(Path.Combine(LocalEmulators.RepoRoot, path));

    /// <summary>
    /// Invokes the handler as the bootstrap does (<see cref="LambdaBootstrap"/>): the context is the current invocation's
    /// while it runs, so its log lines carry the request id.
    /// </summary>
    public static async Task<byte[]> InvokeAsync(this LambdaHandler handler, byte[] payload, TestLambdaContext context)
    {
        LambdaContext.Current = context;
        try
        {
            return await handler(payload, context);
        }
        finally
        {
            LambdaContext.Current = null;
        }
    }
}
