using Serverless.Local.Template;
using Serverless.Local.Tests.Emulators;

namespace Serverless.Local.Tests.Template;

/// <summary>Installs the pinned CloudFormation resource specification once per test run and reads the repository's
/// template; shared by every class of the <see cref="CloudFormationSpecCollection"/>, with their common helpers.</summary>
public sealed class CloudFormationSpecFixture : IAsyncLifetime
{
    private readonly List<string> log = [];

    public string SpecificationPath { get; private set; } = "";
    public CloudFormationSpec Spec { get; private set; } = null!;
    public SamTemplate Template { get; private set; } = null!;
    public TemplateValidation Validation { get; private set; } = null!;
    public IReadOnlyList<string> InstallLog => log;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        SpecificationPath = await CloudFormationSpecPackage.InstallAsync(EmulatorTestPaths.Cache, line => { lock (log) log.Add(line); },
            timeout.Token);
        Spec = CloudFormationSpec.Load(SpecificationPath);
        Template = SamTemplate.Load(Path.Combine(EmulatorTestPaths.RepoRoot, "template.yaml"));
        Validation = Spec.Validate(Template);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Reads a template given as YAML text.</summary>
    public static SamTemplate Load(string yaml)
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, yaml);
        try
        {
            return SamTemplate.Load(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Findings one per line, for assertion messages.</summary>
    public static string Describe(IEnumerable<SpecFinding> findings) =>
        string.Join(Environment.NewLine, findings.Select(f => "  " + f));
}

/// <summary>The test classes that share one <see cref="CloudFormationSpecFixture"/> (and so install and load the spec once).</summary>
[CollectionDefinition(Name)]
public sealed class CloudFormationSpecCollection : ICollectionFixture<CloudFormationSpecFixture>
{
    public const string Name = "CloudFormation spec";
}
