using Serverless.Local;
using Serverless.Local.Commands;

// dotnet run --project infra/Local [-- --parameter-overrides ... | -- invoke ... | -- generate-event ...]
var options = new LocalCloudOptions(LocalCloudOptions.FindRepoRoot(Directory.GetCurrentDirectory()));
try
{
    return args switch
    {
        [] or [['-', ..], ..] => await RunCommand.RunAsync(options, args),
        ["invoke", .. var rest] => await InvokeCommand.RunAsync(options, rest, Console.Out, Console.Error, CancellationToken.None),
        ["generate-event", .. var rest] => GenerateEventCommand.Run(options, rest, Console.Out, TimeProvider.System),
        _ => throw new UsageException($"Unknown command {args[0]}."),
    };
}
catch (UsageException usage)
{
    Console.Error.WriteLine(usage.Message);
    var generateEvent = GenerateEventCommand.Usage.Split('\n').Select(line => "       dotnet run --project infra/Local -- " + line);
    Console.Error.WriteLine($"""
        Usage: dotnet run --project infra/Local [-- {RunCommand.Usage}]   runs template.yaml locally until Ctrl+C
               (the functions from fast dotnet builds; --packaged: the deployment packages sam build makes;
               --watch: a change under functions/ rebuilds its group and reloads its functions)
               dotnet run --project infra/Local -- {InvokeCommand.Usage}
               (a fast build of the function's group; --packaged: its deployment package)
        {string.Join(Environment.NewLine, generateEvent)}
               (every sample event also takes --region; the default is us-east-1)
        """);
    return 2;
}
