namespace Serverless.Local.Tests.Commands;

/// <summary>File options are read from the folder the command was typed in, not the project folder <c>dotnet run</c> runs in;
/// flags take no value.</summary>
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

    [Fact]
    public void A_flag_takes_no_value_and_an_option_still_needs_one()
    {
        var options = new Dictionary<string, string>(Options) { ["--persist"] = "--persist" };
        var flags = new HashSet<string> { "--persist" };
        var line = Serverless.Local.Commands.CommandLine.Parse(["--persist", "--event", "e.json"], options, flags);
        Assert.True(line.Flag("--persist"));
        Assert.Equal("e.json", line.Option("--event"));
        Assert.False(Serverless.Local.Commands.CommandLine.Parse(["--event", "e.json"], options, flags).Flag("--persist"));
        Assert.Throws<Serverless.Local.Commands.UsageException>(() =>
            Serverless.Local.Commands.CommandLine.Parse(["--persist"], Options));
        Assert.Throws<Serverless.Local.Commands.UsageException>(() =>
            Serverless.Local.Commands.CommandLine.Parse(["--event"], options, flags));
    }
}
