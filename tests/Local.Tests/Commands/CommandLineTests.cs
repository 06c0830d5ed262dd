namespace Serverless.Local.Tests.Commands;

/// <summary>File options are read from the folder the command was typed in, not the project folder <c>dotnet run</c> runs in.</summary>
public sealed class CommandLineTests
{
    private static readonly Dictionary<string, string> Options = new() { ["--event"] = "--event" };

    [Fact]
    public void A_relative_file_option_is_taken_from_the_shells_folder()
    {
        var shell = Environment.GetEnvironmentVariable("PWD");
        Environment.SetEnvironmentVariable("PWD", "/work/repo");
        try
        {
            var line = Serverless.Local.Commands.CommandLine.Parse(["--event", "events/F/e.json"], Options);
            Assert.Equal("/work/repo/events/F/e.json", line.PathOption("--event"));
            Assert.Equal("/abs/e.json", Serverless.Local.Commands.CommandLine.Parse(["--event", "/abs/e.json"],
                Options).PathOption("--event"));
            Assert.Equal("-", Serverless.Local.Commands.CommandLine.Parse(["--event", "-"], Options).PathOption("--event"));
            Assert.Null(Serverless.Local.Commands.CommandLine.Parse([], Options).PathOption("--event"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("PWD", shell);
        }
    }
}
