namespace Serverless.Local.Tests.Template;

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
