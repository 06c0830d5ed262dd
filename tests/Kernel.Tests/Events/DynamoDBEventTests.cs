using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Kernel.Events;

namespace Serverless.Kernel.Tests.Events;

public class DynamoDBEventTests
{
    private static DynamoDBEvent Read(string payload) =>
        JsonSerializer.Deserialize(Payload.Read(payload), KernelJsonContext.Default.DynamoDBEvent)!;

    private static DynamoDBEvent.DynamodbStreamRecord Record(string eventId) =>
        Read("dynamodb-stream.json").Records.Single(record => record.EventID == eventId);

    private const string Insert = "c4ca4238a0b923820dcc509a6f75849b";
    private const string Modify = "c81e728d9d4c2f636f067f89cc14862c";
    private const string Unknown = "eccbc87e4b5ce2fe28308fd9f2a7baf3";
    private const string Remove = "a87ff679a2f3e71d9181a67b7542122c";
    private const string TtlRemove = "e4da3b7fbbce2345d7772b0674a318d5";

    [Fact]
    public void The_whole_batch_reads_in_order()
    {
        var records = Read("dynamodb-stream.json").Records;

        Assert.Equal(["INSERT", "MODIFY", "MODIFY", "REMOVE", "REMOVE"], records.Select(record => record.EventName));
        Assert.All(records, record =>
        {
            Assert.Equal("aws:dynamodb", record.EventSource);
            Assert.Equal("1.1", record.EventVersion);
            Assert.Equal("us-east-2", record.AwsRegion);
            Assert.Equal("arn:aws:dynamodb:us-east-2:123456789012:table/users/stream/2024-05-01T00:00:00.000", record.EventSourceArn);
            Assert.Equal("NEW_AND_OLD_IMAGES", record.Dynamodb.StreamViewType);
        });
    }

    [Fact]
    public void An_insert_reads_every_attribute_type()
    {
        var stream = Record(Insert).Dynamodb;
        var image = stream.NewImage!;

        Assert.Null(stream.OldImage);
        Assert.Equal("111100000000001234567890", stream.SequenceNumber);
        Assert.Equal(412, stream.SizeBytes);
        Assert.Equal("USER#7d8ca528", stream.Keys["pk"].S);
        Assert.Equal("1", stream.Keys["sk"].N);
        Assert.Equal("this text is base64-encoded", Encoding.UTF8.GetString(image["avatar"].B!));
        Assert.Equal(["admin", "editor"], image["roles"].SS);
        Assert.Equal(["42.2", "-19", "7.5E+3"], image["scores"].NS);
        Assert.Equal(["Sunny", "Rainy"], image["moods"].BS!.Select(Encoding.UTF8.GetString));
        var profile = image["profile"].M!;
        Assert.Equal("Jane", profile["name"].S);
        Assert.Equal("35", profile["age"].N);
        Assert.Equal("München", profile["address"].M!["city"].S);
        var history = image["history"].L!;
        Assert.Equal("Cookies", history[0].S);
        Assert.Equal("3.14159", history[1].N);
        Assert.True(Assert.Single(history[2].L!).BOOL);
        Assert.True(image["nickname"].NULL);
        Assert.False(image["active"].BOOL);
        Assert.Null(image["active"].NULL);
        Assert.Null(image["nickname"].BOOL);
        Assert.Null(Record(Insert).InvalidReason);
    }

    [Fact]
    public void A_number_beyond_decimal_precision_is_kept_exactly()
    {
        var balance = Record(Insert).Dynamodb.NewImage!["balance"];

        Assert.Equal("12345678901234567890123456789.123456789", balance.N);
        Assert.NotEqual(balance.N, decimal.Parse(balance.N!, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
        Assert.Equal(
            """{"N":"12345678901234567890123456789.123456789"}""",
            JsonSerializer.Serialize(balance, KernelJsonContext.Default.AttributeValue));
    }

    [Fact]
    public void An_image_serializes_back_to_what_arrived()
    {
        var original = JsonNode.Parse(Payload.Read("dynamodb-stream.json"))!["Records"]![0]!["dynamodb"]!["NewImage"];
        var image = Record(Insert).Dynamodb.NewImage!;

        var json = JsonSerializer.Serialize(image, KernelJsonContext.Default.DictionaryStringAttributeValue);

        Assert.True(JsonNode.DeepEquals(original, JsonNode.Parse(json)), json);
    }

    [Fact]
    public void The_approximate_creation_time_is_a_float_of_epoch_seconds()
    {
        var insert = Record(Insert).Dynamodb;
        var modify = Record(Modify).Dynamodb;

        Assert.Equal(1715680600.123, insert.ApproximateCreationDateTime);
        Assert.Equal(new DateTimeOffset(2024, 5, 14, 9, 56, 40, 123, TimeSpan.Zero), insert.ApproximateCreationTime);
        Assert.Equal(1715680601, modify.ApproximateCreationDateTime);
        Assert.Equal(new DateTimeOffset(2024, 5, 14, 9, 56, 41, TimeSpan.Zero), modify.ApproximateCreationTime);
    }

    [Fact]
    public void A_modify_carries_both_images()
    {
        var stream = Record(Modify).Dynamodb;

        Assert.False(stream.OldImage!["active"].BOOL);
        Assert.True(stream.NewImage!["active"].BOOL);
    }

    [Fact]
    public void A_remove_carries_only_the_old_image()
    {
        var record = Record(Remove);

        Assert.Null(record.Dynamodb.NewImage);
        Assert.True(record.Dynamodb.OldImage!["active"].BOOL);
        Assert.Null(record.UserIdentity);
    }

    [Fact]
    public void A_time_to_live_remove_names_the_dynamodb_service()
    {
        var record = Record(TtlRemove);

        Assert.Equal("REMOVE", record.EventName);
        Assert.Equal("Service", record.UserIdentity?.Type);
        Assert.Equal("dynamodb.amazonaws.com", record.UserIdentity?.PrincipalId);
        Assert.Equal("1715680000", record.Dynamodb.OldImage!["expiresAt"].N);
    }

    [Fact]
    public void A_keys_only_record_has_no_images()
    {
        var record = Assert.Single(Read("dynamodb-keys-only.json").Records);

        Assert.Equal("KEYS_ONLY", record.Dynamodb.StreamViewType);
        Assert.Null(record.Dynamodb.NewImage);
        Assert.Null(record.Dynamodb.OldImage);
        Assert.Equal(["pk", "sk"], record.Dynamodb.Keys.Keys);
        Assert.Equal("222100000000009876543210", record.Dynamodb.SequenceNumber);
        Assert.Null(record.InvalidReason);
    }

    [Fact]
    public void An_unknown_type_tag_spoils_only_its_own_record()
    {
        var records = Read("dynamodb-stream.json").Records;

        var bad = Assert.Single(records, record => record.InvalidReason is not null);
        Assert.Equal(Unknown, bad.EventID);
        Assert.Equal("NewImage.meta.tags[1]: unknown type tag \"X\"", bad.InvalidReason);
        var tags = bad.Dynamodb.NewImage!["meta"].M!["tags"].L!;
        Assert.Equal("ok", tags[0].S);
        Assert.Null(tags[0].Error);
        Assert.Equal("unknown type tag \"X\"", tags[1].Error);
        Assert.Equal("USER#0b1c2d3e", bad.Dynamodb.Keys["pk"].S);
        Assert.Equal(4, records.Count(record => record.InvalidReason is null));
    }

    [Fact]
    public void A_handler_reports_the_bad_record_by_sequence_number()
    {
        var response = new StreamsEventResponse
        {
            BatchItemFailures = Read("dynamodb-stream.json").Records
                .Where(record => record.InvalidReason is not null)
                .Select(record => new StreamsEventResponse.BatchItemFailure { ItemIdentifier = record.Dynamodb.SequenceNumber })
                .ToList(),
        };

        Assert.Equal(
            """{"batchItemFailures":[{"itemIdentifier":"111300000000001234567892"}]}""",
            JsonSerializer.Serialize(response, KernelJsonContext.Default.StreamsEventResponse));
    }

    [Fact]
    public void No_failures_serialize_as_an_empty_list()
    {
        Assert.Equal(
            """{"batchItemFailures":[]}""",
            JsonSerializer.Serialize(new StreamsEventResponse(), KernelJsonContext.Default.StreamsEventResponse));
    }

    [Theory]
    [InlineData("""{"X":"1"}""", "Keys.id: unknown type tag \"X\"")]
    [InlineData("""{"N":5}""", """Keys.id: "N" needs a string, found Number""")]
    [InlineData("""{"B":"not base64!"}""", """Keys.id: "B" needs a base64 string, found String""")]
    [InlineData("""{"SS":["a",1]}""", """Keys.id: "SS" needs a string, found Number""")]
    [InlineData("""{"BOOL":"true"}""", """Keys.id: "BOOL" needs true or false, found String""")]
    [InlineData("""{"M":[]}""", """Keys.id: "M" needs an object, found StartArray""")]
    [InlineData("""{"L":{}}""", """Keys.id: "L" needs an array, found StartObject""")]
    [InlineData("""{}""", "Keys.id: no type tag")]
    [InlineData("""{"S":"a","N":"1"}""", "Keys.id: 2 type tags instead of one")]
    [InlineData("\"plain\"", """Keys.id: expected {"TAG": value}, found String""")]
    [InlineData("null", """Keys.id: expected {"TAG": value}, found Null""")]
    public void A_malformed_value_is_reported_with_its_path(string value, string reason)
    {
        var json = $$$"""
            {"Records":[{"eventID":"1","eventName":"INSERT","dynamodb":{"Keys":{"id":{{{value}}}},"SequenceNumber":"1","SizeBytes":1}},
                        {"eventID":"2","eventName":"INSERT","dynamodb":{"Keys":{"id":{"S":"fine"}},"SequenceNumber":"2","SizeBytes":1}}]}
            """;

        var records = JsonSerializer.Deserialize(json, KernelJsonContext.Default.DynamoDBEvent)!.Records;

        Assert.Equal(reason, records[0].InvalidReason);
        Assert.Null(records[1].InvalidReason);
        Assert.Equal("fine", records[1].Dynamodb.Keys["id"].S);
    }

    [Fact]
    public void A_value_that_could_not_be_read_refuses_to_be_written()
    {
        var bad = Record(Unknown).Dynamodb.NewImage!;

        var error = Assert.Throws<JsonException>(() =>
            JsonSerializer.Serialize(bad, KernelJsonContext.Default.DictionaryStringAttributeValue));
        Assert.Contains("unknown type tag \"X\"", error.Message);
    }
}
