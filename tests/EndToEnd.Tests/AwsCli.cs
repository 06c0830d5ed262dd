using System.Diagnostics;

namespace Serverless.EndToEnd.Tests;

/// <summary>The real AWS CLI, run as a newcomer runs it (any credentials work locally).</summary>
internal static class AwsCli
{
    public const string Path = "/usr/bin/aws";

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string[] arguments)
    {
        var start = new ProcessStartInfo(Path, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["AWS_ACCESS_KEY_ID"] = "local";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "local";
        start.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        start.Environment["AWS_PAGER"] = "";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
