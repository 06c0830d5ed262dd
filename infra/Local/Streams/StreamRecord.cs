using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Local.Lambda;

namespace Serverless.Local.Streams;

/// <summary>
/// One record of a shard in the form Lambda hands it to a function: the <c>GetRecords</c> record with
/// <c>eventSourceARN</c> (the stream ARN with its label) added, <c>awsRegion</c> the function's region and
/// <c>ApproximateCreationDateTime</c> in whole epoch seconds, as Lambda sends it.
/// </summary>
public sealed class StreamRecord
{
    private StreamRecord(JsonObject lambdaRecord, string sequenceNumber, DateTimeOffset created)
    {
        LambdaRecord = lambdaRecord;
        SequenceNumber = sequenceNumber;
        Created = created;
    }

    public JsonObject LambdaRecord { get; }
    public string SequenceNumber { get; }
    public DateTimeOffset Created { get; }

    public static StreamRecord FromGetRecords(JsonObject record, string streamArn)
    {
        var dynamodb = record["dynamodb"]!.AsObject();
        var sequenceNumber = dynamodb["SequenceNumber"]!.GetValue<string>();
        var seconds = (long)Math.Floor(dynamodb["ApproximateCreationDateTime"]!.GetValue<double>());
        dynamodb["ApproximateCreationDateTime"] = seconds;
        record["awsRegion"] = LocalAccount.Region;
        record["eventSourceARN"] = streamArn;
        return new StreamRecord(record, sequenceNumber, DateTimeOffset.FromUnixTimeSeconds(seconds));
    }

    /// <summary>
    /// The Lambda event for a batch: <c>{"Records": [...]}</c>, written from the records as they are (a record belongs to
    /// one node tree, so putting it in a new array would take a copy of it for every delivery).
    /// </summary>
    public static byte[] Event(IReadOnlyList<StreamRecord> batch)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("Records");
            foreach (var record in batch) record.LambdaRecord.WriteTo(writer);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
