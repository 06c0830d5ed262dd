namespace Serverless.Local.Tests.Template;

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
