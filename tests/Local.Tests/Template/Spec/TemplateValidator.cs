using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serverless.Local.Tests.Template;

/// <summary>
/// Checks one template against a <see cref="CloudFormationSpec"/> (which lists what is checked) and collects the
/// findings, the shape each value was checked as, the Json leaves where checking stops and every reference. One concern
/// per file: <c>.Sections</c> (template structure), <c>.Values</c> (properties and primitive types), <c>.Intrinsics</c>
/// (what an intrinsic function can fill), <c>.References</c> (Ref, Fn::GetAtt and Fn::Sub targets), <c>.Sam</c>
/// (the SAM transform: Globals, generated resources, event types) and <c>.Messages</c>.
/// </summary>
internal sealed partial class TemplateValidator
{
    private readonly CloudFormationSpec spec;
    private readonly JsonObject root;
    private readonly List<SpecFinding> findings = [];
    private readonly List<(string Path, string Shape)> checkedPaths = [];
    private readonly List<string> jsonLeaves = [];
    private readonly List<string> references = [];
    private readonly JsonObject parameters;
    private readonly JsonObject resources;
    private readonly JsonObject globals;
    private readonly Dictionary<string, string> generated = [];

    public TemplateValidator(CloudFormationSpec spec, JsonObject root)
    {
        this.spec = spec;
        this.root = root;
        parameters = root["Parameters"] as JsonObject ?? [];
        resources = root["Resources"] as JsonObject ?? [];
        globals = root["Globals"] as JsonObject ?? [];
    }

    public TemplateValidation Run()
    {
        CheckSections();
        CollectSamGeneratedResources();
        CheckParameters();
        CheckGlobals();
        foreach (var (logicalId, resource) in resources)
        {
            CheckResource(logicalId, resource);
        }
        CheckOutputs();
        foreach (var section in new[] { "Globals", "Resources", "Outputs", "Conditions" })
        {
            if (root[section] is { } node)
            {
                WalkReferences(node, section, section == "Resources");
            }
        }
        var checkedMap = new Dictionary<string, string>();
        foreach (var (path, shape) in checkedPaths)
        {
            checkedMap[path] = shape;
        }
        return new TemplateValidation(findings.ToList(), checkedMap, jsonLeaves.Distinct().ToList(), references.ToList());
    }

    private void Report(string path, string message) => findings.Add(new SpecFinding(path, message));

    private static string? TypeOf(JsonObject resource) =>
        resource["Type"] is JsonValue type && type.GetValueKind() == JsonValueKind.String ? type.GetValue<string>() : null;
}
