using Serverless.Local.Tests.Emulators;

namespace Serverless.Local.Tests.Template;

/// <summary>The repository's template and function sources, read once for the template invariants.</summary>
public sealed class TemplateInvariantsFixture
{
    public FunctionSources Sources { get; } = FunctionSources.Load(EmulatorTestPaths.RepoRoot);

    public static TheoryData<string> Functions()
    {
        var data = new TheoryData<string>();
        foreach (var function in FunctionSources.Load(EmulatorTestPaths.RepoRoot).Functions) data.Add(function);
        return data;
    }
}
