namespace Serverless.Local.Commands;

/// <summary>A sub-command's arguments: words in order, and <c>--option value</c> pairs (short aliases allowed).</summary>
internal sealed record CommandLine(IReadOnlyList<string> Words, IReadOnlyDictionary<string, string> Options)
{
    /// <param name="options">Each option the command takes, by every spelling, to its long name.</param>
    /// <param name="flags">The options among them that take no value (<see cref="Flag"/>).</param>
    public static CommandLine Parse(string[] args, IReadOnlyDictionary<string, string> options, IReadOnlySet<string>? flags = null)
    {
        var words = new List<string>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith('-') || args[i] == "-")
            {
                words.Add(args[i]);
                continue;
            }
            if (!options.TryGetValue(args[i], out var name))
                throw new UsageException($"Unknown option {args[i]}.");
            if (flags?.Contains(name) == true)
            {
                values[name] = "";
                continue;
            }
            if (i + 1 >= args.Length)
                throw new UsageException($"{args[i]} needs a value.");
            values[name] = args[++i];
        }
        return new CommandLine(words, values);
    }

    public string? Option(string name) => Options.GetValueOrDefault(name);

    public bool Flag(string name) => Options.ContainsKey(name);

    /// <summary>
    /// A file option's path as the caller meant it: relative to the shell's folder (<c>PWD</c>), since <c>dotnet run</c>
    /// runs the program in the project's folder. Null and <c>-</c> (standard input) stay as they are.
    /// </summary>
    public string? PathOption(string name) => Option(name) is { } path && path != "-"
        ? Path.GetFullPath(path, System.Environment.GetEnvironmentVariable("PWD") is { Length: > 0 } shell ? shell
            : Directory.GetCurrentDirectory())
        : Option(name);
}

/// <summary>Arguments a sub-command cannot take; the message says which.</summary>
internal sealed class UsageException(string message) : Exception(message);
