using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Kernel.Events;

/// <summary>
/// A batch of DynamoDB Streams records. Names follow the official <c>Amazon.Lambda.DynamoDBEvents.DynamoDBEvent</c>.
/// </summary>
public sealed class DynamoDBEvent
{
    [JsonPropertyName("Records")] public List<DynamodbStreamRecord> Records { get; set; } = [];

    public sealed class DynamodbStreamRecord
    {
        [JsonPropertyName("eventID")] public string EventID { get; set; } = "";

        /// <summary><c>INSERT</c>, <c>MODIFY</c> or <c>REMOVE</c>.</summary>
        [JsonPropertyName("eventName")] public string EventName { get; set; } = "";

        [JsonPropertyName("eventVersion")] public string EventVersion { get; set; } = "";
        [JsonPropertyName("eventSource")] public string EventSource { get; set; } = "";
        [JsonPropertyName("awsRegion")] public string AwsRegion { get; set; } = "";
        [JsonPropertyName("eventSourceARN")] public string EventSourceArn { get; set; } = "";

        /// <summary>
        /// Present on a REMOVE done by Time to Live: <c>{"type": "Service", "principalId": "dynamodb.amazonaws.com"}</c>.
        /// </summary>
        [JsonPropertyName("userIdentity")] public Identity? UserIdentity { get; set; }

        [JsonPropertyName("dynamodb")] public StreamRecord Dynamodb { get; set; } = new();

        /// <summary>
        /// Where and why one of this record's attribute values could not be read (an unknown type tag, a value of
        /// the wrong kind), e.g. <c>NewImage.tags[1]: unknown type tag "X"</c>; null when the record is sound.
        /// The rest of the batch stays usable: report such a record as a batch item failure and go on.
        /// </summary>
        [JsonIgnore]
        public string? InvalidReason =>
            AttributeValue.FindError("Keys", Dynamodb.Keys)
            ?? AttributeValue.FindError("NewImage", Dynamodb.NewImage)
            ?? AttributeValue.FindError("OldImage", Dynamodb.OldImage);
    }

    public sealed class StreamRecord
    {
        /// <summary>
        /// Epoch seconds, sent as a JSON float (<c>1479499740.123</c>, <c>1.7E9</c>, <c>1693997155.0</c>) that an
        /// integer type would refuse; <see cref="ApproximateCreationTime"/> has it as a point in time.
        /// </summary>
        [JsonPropertyName("ApproximateCreationDateTime")] public double ApproximateCreationDateTime { get; set; }

        [JsonIgnore]
        public DateTimeOffset ApproximateCreationTime =>
            DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(ApproximateCreationDateTime * 1000));

        [JsonPropertyName("Keys")] public Dictionary<string, AttributeValue> Keys { get; set; } = [];

        /// <summary>Absent on a REMOVE, and on every record of a <c>KEYS_ONLY</c> or <c>OLD_IMAGE</c> stream.</summary>
        [JsonPropertyName("NewImage")] public Dictionary<string, AttributeValue>? NewImage { get; set; }

        /// <summary>Absent on an INSERT, and on every record of a <c>KEYS_ONLY</c> or <c>NEW_IMAGE</c> stream.</summary>
        [JsonPropertyName("OldImage")] public Dictionary<string, AttributeValue>? OldImage { get; set; }

        /// <summary>What a batch item failure names (<see cref="StreamsEventResponse.BatchItemFailure.ItemIdentifier"/>).</summary>
        [JsonPropertyName("SequenceNumber")] public string SequenceNumber { get; set; } = "";

        [JsonPropertyName("SizeBytes")] public long SizeBytes { get; set; }

        /// <summary><c>KEYS_ONLY</c>, <c>NEW_IMAGE</c>, <c>OLD_IMAGE</c> or <c>NEW_AND_OLD_IMAGES</c>.</summary>
        [JsonPropertyName("StreamViewType")] public string StreamViewType { get; set; } = "";
    }

    public sealed class Identity
    {
        [JsonPropertyName("type")] public string Type { get; set; } = "";
        [JsonPropertyName("principalId")] public string PrincipalId { get; set; } = "";
    }

    /// <summary>
    /// One DynamoDB attribute value: exactly one of the type-tagged members is set. Numbers stay the exact
    /// strings DynamoDB sent (up to 38 digits, beyond what <see cref="decimal"/> holds).
    /// A value that cannot be read does not fail the whole event: it carries <see cref="Error"/> instead.
    /// </summary>
    [JsonConverter(typeof(AttributeValueConverter))]
    public sealed class AttributeValue
    {
        public string? S { get; set; }
        public string? N { get; set; }
        public byte[]? B { get; set; }
        public List<string>? SS { get; set; }
        public List<string>? NS { get; set; }
        public List<byte[]>? BS { get; set; }
        public Dictionary<string, AttributeValue>? M { get; set; }
        public List<AttributeValue>? L { get; set; }
        public bool? NULL { get; set; }
        public bool? BOOL { get; set; }

        /// <summary>Why this value could not be read (nested values carry their own); null when it was.</summary>
        public string? Error { get; internal set; }

        internal static string? FindError(string path, Dictionary<string, AttributeValue>? map) =>
            map?.Select(entry => FindError($"{path}.{entry.Key}", entry.Value)).FirstOrDefault(error => error is not null);

        private static string? FindError(string path, AttributeValue value) =>
            value.Error is { } error ? $"{path}: {error}"
            : value.M is { } map ? FindError(path, map)
            : value.L?.Select((item, index) => FindError($"{path}[{index}]", item)).FirstOrDefault(error => error is not null);
    }

    /// <summary>
    /// Reads <c>{"TAG": value}</c> without throwing on content it does not understand, so one odd record
    /// cannot make a whole batch unreadable; only malformed JSON text throws.
    /// </summary>
    internal sealed class AttributeValueConverter : JsonConverter<AttributeValue>
    {
        public override bool HandleNull => true;

        public override AttributeValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var value = new AttributeValue();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                value.Error = $"expected {{\"TAG\": value}}, found {reader.TokenType}";
                reader.Skip();
                return value;
            }
            var tags = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var tag = reader.GetString()!;
                reader.Read();
                tags++;
                switch (tag)
                {
                    case "S": value.S = ReadString(ref reader, tag, value); break;
                    case "N": value.N = ReadString(ref reader, tag, value); break;
                    case "B": value.B = ReadBytes(ref reader, tag, value); break;
                    case "SS": value.SS = ReadArray(ref reader, tag, value, ReadString); break;
                    case "NS": value.NS = ReadArray(ref reader, tag, value, ReadString); break;
                    case "BS": value.BS = ReadArray(ref reader, tag, value, ReadBytes); break;
                    case "M": value.M = ReadMap(ref reader, tag, value, options); break;
                    case "L": value.L = ReadArray(ref reader, tag, value,
                        (ref Utf8JsonReader r, string _, AttributeValue _) => Read(ref r, typeToConvert, options)); break;
                    case "NULL": value.NULL = ReadBool(ref reader, tag, value); break;
                    case "BOOL": value.BOOL = ReadBool(ref reader, tag, value); break;
                    default:
                        value.Error ??= $"unknown type tag \"{tag}\"";
                        reader.Skip();
                        break;
                }
            }
            if (tags != 1) value.Error ??= tags == 0 ? "no type tag" : $"{tags} type tags instead of one";
            return value;
        }

        private delegate T? ItemReader<T>(ref Utf8JsonReader reader, string tag, AttributeValue value);

        private static string? ReadString(ref Utf8JsonReader reader, string tag, AttributeValue value) =>
            reader.TokenType == JsonTokenType.String ? reader.GetString() : Mismatch<string>(ref reader, tag, value, "a string");

        private static byte[]? ReadBytes(ref Utf8JsonReader reader, string tag, AttributeValue value) =>
            reader.TokenType == JsonTokenType.String && reader.TryGetBytesFromBase64(out var bytes)
                ? bytes
                : Mismatch<byte[]>(ref reader, tag, value, "a base64 string");

        private static bool? ReadBool(ref Utf8JsonReader reader, string tag, AttributeValue value) =>
            reader.TokenType is JsonTokenType.True or JsonTokenType.False ? reader.GetBoolean()
                : Mismatch<bool?>(ref reader, tag, value, "true or false");

        private static List<T>? ReadArray<T>(ref Utf8JsonReader reader, string tag, AttributeValue value, ItemReader<T> readItem)
        {
            if (reader.TokenType != JsonTokenType.StartArray) return Mismatch<List<T>>(ref reader, tag, value, "an array");
            var items = new List<T>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (readItem(ref reader, tag, value) is { } item) items.Add(item);
            }
            return items;
        }

        private Dictionary<string, AttributeValue>? ReadMap(ref Utf8JsonReader reader, string tag,
            AttributeValue value, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartObject) return Mismatch<Dictionary<string, AttributeValue>>(
                ref reader, tag, value, "an object");
            var map = new Dictionary<string, AttributeValue>();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                reader.Read();
                map[name] = Read(ref reader, typeof(AttributeValue), options);
            }
            return map;
        }

        private static T? Mismatch<T>(ref Utf8JsonReader reader, string tag, AttributeValue value, string expected)
        {
            value.Error ??= $"\"{tag}\" needs {expected}, found {reader.TokenType}";
            reader.Skip();
            return default;
        }

        public override void Write(Utf8JsonWriter writer, AttributeValue? value, JsonSerializerOptions options)
        {
            if (value is null)
            {
                writer.WriteNullValue();
                return;
            }
            if (value.Error is not null) throw new JsonException($"Cannot write an attribute value that could not be read: {value.Error}");
            writer.WriteStartObject();
            if (value.S is not null) writer.WriteString("S", value.S);
            if (value.N is not null) writer.WriteString("N", value.N);
            if (value.B is not null) writer.WriteBase64String("B", value.B);
            WriteArray(writer, "SS", value.SS, writer.WriteStringValue);
            WriteArray(writer, "NS", value.NS, writer.WriteStringValue);
            WriteArray(writer, "BS", value.BS, bytes => writer.WriteBase64StringValue(bytes));
            if (value.M is not null)
            {
                writer.WriteStartObject("M");
                foreach (var (name, item) in value.M)
                {
                    writer.WritePropertyName(name);
                    Write(writer, item, options);
                }
                writer.WriteEndObject();
            }
            WriteArray(writer, "L", value.L, item => Write(writer, item, options));
            if (value.NULL is { } isNull) writer.WriteBoolean("NULL", isNull);
            if (value.BOOL is { } boolean) writer.WriteBoolean("BOOL", boolean);
            writer.WriteEndObject();
        }

        private static void WriteArray<T>(Utf8JsonWriter writer, string tag, List<T>? items, Action<T> writeItem)
        {
            if (items is null) return;
            writer.WriteStartArray(tag);
            items.ForEach(writeItem);
            writer.WriteEndArray();
        }
    }
}
