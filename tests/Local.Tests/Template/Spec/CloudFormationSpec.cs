using Serverless.Local.Template;

namespace Serverless.Local.Tests.Template;

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
public sealed partial class CloudFormationSpec
{
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

    private readonly Dictionary<string, TypeSpec> resourceTypes;
    private readonly Dictionary<string, TypeSpec> propertyTypes;

    private CloudFormationSpec(string version, Dictionary<string, TypeSpec> resourceTypes, Dictionary<string, TypeSpec> propertyTypes,
        IReadOnlyList<string> addendaAlreadyInSpec, IReadOnlyList<string> correctionsNotNeeded)
    {
        Version = version;
        this.resourceTypes = resourceTypes;
        this.propertyTypes = propertyTypes;
        AddendaAlreadyInSpec = addendaAlreadyInSpec;
        CorrectionsNotNeeded = correctionsNotNeeded;
    }

    /// <summary>ResourceSpecificationVersion of the loaded file.</summary>
    public string Version { get; }

    public IReadOnlyDictionary<string, TypeSpec> ResourceTypes => resourceTypes;
    public IReadOnlyDictionary<string, TypeSpec> PropertyTypes => propertyTypes;

    /// <summary>Entries of <see cref="Addenda"/> that the loaded spec already had (so the addendum can go).</summary>
    public IReadOnlyList<string> AddendaAlreadyInSpec { get; }

    /// <summary>Entries of <see cref="Corrections"/> that the loaded spec does not need (absent, or already equal).</summary>
    public IReadOnlyList<string> CorrectionsNotNeeded { get; }

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
        items.AddRange((property.PrimitiveItemTypes ?? []).Concat(property.InclusivePrimitiveItemTypes ?? []).Select(n =>
            new PrimitiveShape(n)));
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
    public TemplateValidation Validate(SamTemplate template) => new TemplateValidator(this, template.Root).Run();
}
