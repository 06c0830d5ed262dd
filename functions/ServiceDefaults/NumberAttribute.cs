using System.Globalization;
using Amazon.DynamoDBv2.Model;

namespace Serverless.ServiceDefaults;

/// <summary>DynamoDB number attributes (<c>N</c>, a decimal string) for the whole counts the suite stores.</summary>
public static class NumberAttribute
{
    public static AttributeValue Of(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    /// <summary>The attribute's value; 0 when it is absent.</summary>
    public static long Read(AttributeValue? value) =>
        value?.N is { } number ? long.Parse(number, NumberStyles.Integer, CultureInfo.InvariantCulture) : 0;
}
