using System.Globalization;

namespace Serverless.Bench;

/// <summary>
/// Where a bench's CPU goes: the user and system time of this process and of every process under it (the emulators, the
/// model server, the function instances), read from <c>/proc</c> and named by what each runs, and the whole machine's
/// busy time (what else shares the cores). Times are in clock ticks of 1/100 s (Linux's <c>USER_HZ</c> on every
/// architecture .NET runs on). A process that ended between two readings loses the time it used after the first.
/// </summary>
internal static class ProcessCpu
{
    private const double TicksPerSecond = 100;
    /// <summary>The whole machine's entry in a reading, beside the processes' ids.</summary>
    private const int MachineKey = -1;

    /// <summary>CPU seconds so far: each process's of this bench by id, with its name, and the whole machine's.</summary>
    public static Dictionary<int, (string Name, double Seconds)> Read()
    {
        var stats = new Dictionary<int, (int Parent, double Seconds)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                // After "pid (comm) ": state ppid ... utime (12th) stime (13th); comm may hold spaces and parentheses.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                stats[pid] = (int.Parse(fields[1], CultureInfo.InvariantCulture),
                    (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture))
                        / TicksPerSecond);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // Gone.
            }
        }
        var self = Environment.ProcessId;
        var ours = new Dictionary<int, (string, double)> { [MachineKey] = ("the machine", MachineBusySeconds()) };
        foreach (var (pid, (_, seconds)) in stats)
        {
            var ancestor = pid;
            while (ancestor != self && stats.TryGetValue(ancestor, out var stat) && stat.Parent > 1) ancestor = stat.Parent;
            if (ancestor == self) ours[pid] = (Name(pid, self), seconds);
        }
        return ours;
    }

    /// <summary>The CPU seconds the whole machine, this bench's processes together and each of its process names (most
    /// first) used between two readings.</summary>
    public static (double Machine, double Ours, List<(string Name, double Seconds)> Processes) Used(
        Dictionary<int, (string Name, double Seconds)> before, Dictionary<int, (string Name, double Seconds)> after)
    {
        var ours = after.Where(process => process.Key != MachineKey).Select(process => (process.Value.Name,
                Seconds: process.Value.Seconds - (before.TryGetValue(process.Key, out var earlier) ? earlier.Seconds : 0)))
            .GroupBy(process => process.Name, (name, processes) => (Name: name, Seconds: processes.Sum(p => p.Seconds)))
            .Where(process => process.Seconds > 0)
            .OrderByDescending(process => process.Seconds).ToList();
        return (after[MachineKey].Seconds - before[MachineKey].Seconds, ours.Sum(process => process.Seconds), ours);
    }

    private static string Name(int pid, int self)
    {
        if (pid == self) return "the bench process (gateway, Lambda service, S3 and Cognito fronts, load generator, Kestrel apps)";
        try
        {
            var function = File.ReadAllText($"/proc/{pid}/environ").Split('\0')
                .FirstOrDefault(variable => variable.StartsWith("AWS_LAMBDA_FUNCTION_NAME=", StringComparison.Ordinal));
            if (function is not null) return $"function {function["AWS_LAMBDA_FUNCTION_NAME=".Length..]} (all its instances)";
            var command = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
            foreach (var (marker, name) in new[]
                     {
                         ("DynamoDBLocal", "DynamoDB Local"), ("s3rver", "s3rver (S3)"), ("cognito-local", "cognito-local (Cognito)"),
                         ("ModelServer", "model server (SageMaker endpoint)"), ("dashboard", "Aspire dashboard"),
                     })
                if (command.Contains(marker, StringComparison.OrdinalIgnoreCase)) return name;
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return "(ended)";
        }
    }

    /// <summary>The first line of <c>/proc/stat</c>: every core's time but idle and iowait.</summary>
    private static double MachineBusySeconds()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..]
            .Select(field => long.Parse(field, CultureInfo.InvariantCulture)).ToArray();
        // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user and nice.
        return (fields[..8].Sum() - fields[3] - fields[4]) / TicksPerSecond;
    }
}
