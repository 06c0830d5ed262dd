using System.Diagnostics;
using System.Xml.Linq;
using Serverless.Local.Processes;
using Serverless.Local.Template;

namespace Serverless.Local.Lambda;

/// <summary>A folder of <c>functions/</c> the template's functions share one build of (their <c>Metadata.ContextPath</c>);
/// <paramref name="LogicalId"/> is the first of them, whose <c>make build-{LogicalId}</c> builds the package.</summary>
public sealed record FunctionGroup(string LogicalId, string CodeUri, string ContextPath)
{
    public string Name => Path.GetFileName(ContextPath.TrimEnd('/'));
}

/// <summary>A group built (or found up to date), the folder its <c>bootstrap</c> now runs from, and the one it ran from
/// before (null the first time).</summary>
public sealed record GroupBuild(FunctionGroup Group, string Directory, string? Previous);

/// <summary>A build that failed; the message holds the compiler's (or make's) errors.</summary>
public sealed class FunctionBuildException(string message) : Exception(message);

/// <summary>
/// Builds the function groups the local cloud runs, in one of two ways.
/// <list type="bullet">
/// <item>Fast (the default): each group's project with <c>dotnet build</c> (Debug, JIT, incremental): the same Program and
/// handlers, the same Runtime API client (the apphost <c>bootstrap</c>). Every stale group builds in one invocation (they share
/// Kernel, ServiceDefaults, Metering) into <c>.local/build/fast/artifacts</c>, apart from the <c>bin/</c> and <c>obj/</c> that
/// <c>dotnet test</c> builds; each group's output is then copied to <c>.local/build/fast/{Group}/{hash}/</c>, so a running
/// instance never sees its files overwritten.</item>
/// <item>Packaged: the deployment package as <c>sam build</c> makes it, <c>make build-{LogicalId}</c> in the group's folder with
/// <c>ARTIFACTS_DIR</c> = <c>.local/build/{CodeUri}</c>.</item>
/// </list>
/// A group is rebuilt only when the hash of what its build reads (<see cref="BuildInputs"/>) changed; an equal hash reuses the
/// build without running dotnet or make.
/// </summary>
public sealed class FunctionBuilds(string repoRoot, bool packaged, IReadOnlyList<FunctionGroup> groups)
{
    /// <summary>Beside each build: the hash of the inputs it was built from, written once it is complete.</summary>
    private const string HashFile = ".built";

    private readonly Dictionary<FunctionGroup, (string Hash, string Directory)> current = [];

    private string Mode => packaged ? "packaged" : "fast";

    /// <summary>The groups of the template's functions (of <paramref name="logicalId"/>'s alone when given).</summary>
    public static FunctionBuilds For(SamTemplate template, string repoRoot, bool packaged, string? logicalId = null)
    {
        var groups = new List<FunctionGroup>();
        foreach (var (function, _) in template.ResourcesOfType("AWS::Serverless::Function"))
        {
            if (logicalId is not null && function != logicalId) continue;
            var codeUri = template.FunctionProperties(function)["CodeUri"]!.GetValue<string>();
            if (groups.Any(group => group.CodeUri == codeUri)) continue;
            var contextPath = template.Resources[function]!["Metadata"]?["ContextPath"]?.GetValue<string>() ?? codeUri;
            groups.Add(new FunctionGroup(function, codeUri, contextPath));
        }
        return new FunctionBuilds(repoRoot, packaged, groups);
    }

    /// <summary>
    /// Brings every group whose inputs changed since the last call (every group, the first time) up to date, and returns those.
    /// Throws <see cref="FunctionBuildException"/> when a build fails; the groups keep their previous builds.
    /// </summary>
    public async Task<IReadOnlyList<GroupBuild>> BuildChangedAsync(Action<string> log, CancellationToken cancellationToken)
    {
        var changed = groups.Select(group => (Group: group, Hash: BuildInputs.Hash(repoRoot, group.ContextPath, Mode)))
            .Where(group => !current.TryGetValue(group.Group, out var built) || built.Hash != group.Hash)
            .ToList();
        var stale = changed.Where(group => !IsBuilt(group.Group, group.Hash)).ToList();
        foreach (var (group, _) in changed.Except(stale)) log($"[build] {group.ContextPath}: up to date ({Mode})");
        if (packaged)
            foreach (var (group, hash) in stale) await MakeAsync(group, hash, log, cancellationToken);
        else if (stale.Count > 0)
            await DotnetBuildAsync(stale, log, cancellationToken);

        var builds = new List<GroupBuild>();
        foreach (var (group, hash) in changed)
        {
            var previous = current.TryGetValue(group, out var before) ? before.Directory : null;
            if (previous is null && !packaged) RemoveOtherBuilds(group, hash);
            current[group] = (hash, Output(group, hash));
            builds.Add(new GroupBuild(group, Output(group, hash), previous));
        }
        return builds;
    }

    private string Output(FunctionGroup group, string hash) => packaged
        ? Path.Combine(repoRoot, ".local", "build", group.CodeUri.Replace('/', '_'))
        : Path.Combine(FastRoot, group.Name, hash);

    private string FastRoot => Path.Combine(repoRoot, ".local", "build", "fast");

    private bool IsBuilt(FunctionGroup group, string hash) =>
        File.Exists(Path.Combine(Output(group, hash), HashFile)) && File.ReadAllText(Path.Combine(Output(group, hash), HashFile)) == hash;

    /// <summary>Fast builds of the group's other content, left by earlier runs; none runs yet, so none is in use.</summary>
    private void RemoveOtherBuilds(FunctionGroup group, string hash)
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.Combine(FastRoot, group.Name)))
            if (Path.GetFileName(folder) != hash) Directory.Delete(folder, recursive: true);
    }

    private async Task MakeAsync(FunctionGroup group, string hash, Action<string> log, CancellationToken cancellationToken)
    {
        var artifacts = Output(group, hash);
        log($"[build] {group.ContextPath}: make build-{group.LogicalId} (the deployment package, as sam build makes it; "
            + "a minute or more)");
        var clock = Stopwatch.StartNew();
        // sam build hands make an empty ARTIFACTS_DIR: files of an older package (a ReadyToRun one's libcoreclr.so) must not
        // stay beside the new bootstrap, and a build cut short leaves no hash file behind.
        if (Directory.Exists(artifacts)) Directory.Delete(artifacts, recursive: true);
        var (exitCode, output) = await ChildProcess.RunAsync("make", "make",
            ["-C", Path.Combine(repoRoot, group.ContextPath), $"build-{group.LogicalId}",
            $"ARTIFACTS_DIR={artifacts}",
            // The local cloud runs the host's x86_64, whatever ARCHITECTURE a deployer exported (functions/Function.mk).
            "ARCHITECTURE=x86_64"], cancellationToken: cancellationToken);
        if (exitCode != 0)
            throw new FunctionBuildException($"Building {group.ContextPath} failed:{Environment.NewLine}"
                + string.Join(Environment.NewLine, output.TakeLast(40)));
        await File.WriteAllTextAsync(Path.Combine(artifacts, HashFile), hash, cancellationToken);
        log($"[build] {group.ContextPath}: built in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>One <c>dotnet build</c> of a solution holding the stale groups' projects, then each output copied to its folder.</summary>
    private async Task DotnetBuildAsync(List<(FunctionGroup Group, string Hash)> stale, Action<string> log,
        CancellationToken cancellationToken)
    {
        var projects = stale.ToDictionary(build => build.Group, build => Project(build.Group));
        log($"[build] {string.Join(", ", stale.Select(build => build.Group.ContextPath))}: dotnet build (fast: Debug, JIT)");
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(FastRoot);
        var solution = Path.Combine(FastRoot, "groups.slnx");
        var artifacts = Path.Combine(FastRoot, "artifacts");
        await File.WriteAllTextAsync(solution, new XElement("Solution",
            projects.Values.Select(project => new XElement("Project", new XAttribute("Path", project)))).ToString(), cancellationToken);
        // A restore costs seconds of every build; the last one holds while no group's project files changed.
        var restores = stale.ToDictionary(build => build.Group,
            build => BuildInputs.Hash(repoRoot, build.Group.ContextPath, Mode, restoreOnly: true));
        var restored = stale.All(build =>
            File.Exists(Path.Combine(artifacts, "obj", Path.GetFileNameWithoutExtension(projects[build.Group]), "project.assets.json"))
            && File.Exists(RestoredFile(build.Group)) && File.ReadAllText(RestoredFile(build.Group)) == restores[build.Group]);
        var (exitCode, output) = await ChildProcess.RunAsync("build", "dotnet",
            ["build", solution, "-c", "Debug", "--artifacts-path", artifacts, "-v", "q", "-nologo", "-clp:NoSummary",
                .. restored ? new[] { "--no-restore" } : []], cancellationToken: cancellationToken);
        if (exitCode != 0)
        {
            var errors = output.Where(line => line.Contains(": error ", StringComparison.Ordinal)).Distinct().ToList();
            throw new FunctionBuildException("dotnet build failed:" + Environment.NewLine
                + string.Join(Environment.NewLine, errors.Count > 0 ? errors : output.TakeLast(40)));
        }
        foreach (var (group, hash) in stale)
        {
            // The artifacts layout: bin/{project}/{configuration}[_{rid}]/.
            var built = Directory.GetDirectories(Path.Combine(artifacts, "bin", Path.GetFileNameWithoutExtension(projects[group])),
                "debug*").Single();
            var target = Output(group, hash);
            var staging = target + ".partial";
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            CopyDirectory(built, staging);
            await File.WriteAllTextAsync(Path.Combine(staging, HashFile), hash, cancellationToken);
            if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
            Directory.Move(staging, target);
            await File.WriteAllTextAsync(RestoredFile(group), restores[group], cancellationToken);
        }
        log($"[build] {string.Join(", ", stale.Select(build => build.Group.ContextPath))}: built in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>The restore inputs' hash of the group's last successful build.</summary>
    private string RestoredFile(FunctionGroup group) => Path.Combine(FastRoot, group.Name, "restored");

    private string Project(FunctionGroup group) =>
        Directory.GetFiles(Path.Combine(repoRoot, group.ContextPath), "*.csproj") is [var project] ? project
            : throw new FunctionBuildException($"{group.ContextPath} has no single project for a fast build; run it --packaged.");

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var folder in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, folder)));
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }
}
