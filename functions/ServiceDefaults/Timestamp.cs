using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.ServiceDefaults;

/// <summary>
/// How the suite writes an instant, in its items and in every API answer: UTC to the millisecond,
/// <c>yyyy-MM-ddTHH:mm:ss.fffZ</c> (what JavaScript's <c>Date.prototype.toISOString()</c> gives). Every such string
/// has the same width, so they sort as their instants do (the prediction history's sort keys rely on it).
/// </summary>
public static class Timestamp
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public static string Of(DateTimeOffset time) => time.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);
}

/// <summary>Writes each <see cref="DateTimeOffset"/> of an API answer as a <see cref="Timestamp"/>; reads any ISO 8601 instant.</summary>
internal sealed class TimestampJsonConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Timestamp.Of(value));
}
