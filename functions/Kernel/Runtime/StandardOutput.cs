namespace Serverless.Kernel.Runtime;

/// <summary>
/// The function's stdout, which Lambda sends to its log group: the JSON log lines and the metric lines share this one
/// synchronized stream, each line written in one call, so no line is ever cut by another.
/// </summary>
internal static class StandardOutput
{
    public static Stream Stream { get; } = Stream.Synchronized(Console.OpenStandardOutput());
}
