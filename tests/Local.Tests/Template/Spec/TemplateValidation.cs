namespace Serverless.Local.Tests.Template;

/// <summary>A problem found in a template, with the dotted path of the offending value.</summary>
public sealed record SpecFinding(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>The outcome of <see cref="CloudFormationSpec.Validate"/>.</summary>
public sealed record TemplateValidation(
    IReadOnlyList<SpecFinding> Findings,
    IReadOnlyDictionary<string, string> Checked,
    IReadOnlyList<string> JsonLeaves,
    IReadOnlyList<string> References);
