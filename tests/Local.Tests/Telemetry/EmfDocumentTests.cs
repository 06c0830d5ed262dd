using System.Text.Json.Nodes;
using Serverless.Local.Telemetry;

namespace Serverless.Local.Tests.Telemetry;

/// <summary>EMF documents as CloudWatch's specification defines them: what is extracted from a valid one, and that one breaking
/// a rule is refused whole.</summary>
public sealed class EmfDocumentTests
{
    private static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    [Fact]
    public void A_metric_with_one_dimension_set_gives_one_sample_with_its_unit_and_time()
    {
        var samples = EmfDocument.Parse(Json("""
            {"_aws":{"Timestamp":1796678135915,"CloudWatchMetrics":[{"Namespace":"Serverless","Dimensions":[["Service"]],
              "Metrics":[{"Name":"RowsScored","Unit":"Count"}]}]},"Service":"Uploads","RowsScored":42,"requestId":"r-1"}
            """));

        var sample = Assert.Single(samples);
        Assert.Equal("Serverless", sample.Namespace);
        Assert.Equal("RowsScored", sample.Name);
        Assert.Equal(42, sample.Value);
        Assert.Equal("Count", sample.Unit);
        Assert.Equal(60, sample.StorageResolution);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1796678135915), sample.Timestamp);
        Assert.Equal(new Dictionary<string, string> { ["Service"] = "Uploads" }, sample.Dimensions);
    }

    [Fact]
    public void Each_dimension_set_each_metric_and_each_value_of_an_array_is_a_sample()
    {
        var samples = EmfDocument.Parse(Json("""
            {"_aws":{"Timestamp":0,"CloudWatchMetrics":[{"Namespace":"Serverless","Dimensions":[["Service"],["Service","Operation"],[]],
              "Metrics":[{"Name":"ModelLatency","Unit":"Milliseconds","StorageResolution":1},{"Name":"Batches"}]}]},
             "Service":"Uploads","Operation":"Score","ModelLatency":[12.5,30],"Batches":2}
            """));

        Assert.Equal(9, samples.Count); // (2 latency values + 1 batch count) × 3 dimension sets
        Assert.Equal([12.5, 30], samples.Where(s => s.Name == "ModelLatency" && s.Dimensions.Count == 2).Select(s => s.Value));
        Assert.All(samples.Where(s => s.Name == "ModelLatency"), s => Assert.Equal(1, s.StorageResolution));
        Assert.All(samples.Where(s => s.Name == "Batches"), s => Assert.Equal("None", s.Unit));
        Assert.Contains(samples, s => s.Name == "Batches" && s.Dimensions.Count == 0);
        Assert.Contains(samples, s => s.Dimensions.TryGetValue("Operation", out var operation) && operation == "Score");
    }

    [Fact]
    public void Several_directives_publish_to_their_own_namespaces()
    {
        var samples = EmfDocument.Parse(Json("""
            {"_aws":{"Timestamp":0,"CloudWatchMetrics":[
              {"Namespace":"A","Dimensions":[["Service"]],"Metrics":[{"Name":"X"}]},
              {"Namespace":"B","Dimensions":[["Service"]],"Metrics":[{"Name":"X"}]}]},"Service":"S","X":1}
            """));

        Assert.Equal(["A", "B"], samples.Select(sample => sample.Namespace));
    }

    [Theory]
    [InlineData("""{"_aws":[]}""", "_aws is not an object")]
    [InlineData("""{"_aws":{"CloudWatchMetrics":[]}}""", "Timestamp")]
    [InlineData("""{"_aws":{"Timestamp":"now","CloudWatchMetrics":[]}}""", "Timestamp")]
    [InlineData("""{"_aws":{"Timestamp":0}}""", "CloudWatchMetrics")]
    [InlineData("""{"_aws":{"Timestamp":0,"CloudWatchMetrics":[{"Dimensions":[],"Metrics":[{"Name":"X"}]}]},"X":1}""", "Namespace")]
    [InlineData("""{"_aws":{"Timestamp":0,"CloudWatchMetrics":[{"Namespace":"N","Metrics":[{"Unit":"Count"}]}]},"X":1}""", "no Name")]
    [InlineData("""{"_aws":{"Timestamp":0,"CloudWatchMetrics":[{"Namespace":"N","Metrics":[{"Name":"X","Unit":"Rows"}]}]},"X":1}""",
        "not a CloudWatch unit")]
    [InlineData("""{"_aws":{"Timestamp":0,"CloudWatchMetrics":[{"Namespace":"N","Metrics":[{"Name":"X","StorageResolution":5}]}]},"X":1}""",
        "StorageResolution")]
    [InlineData("""{"_aws":{"Timestamp":0,"CloudWatchMetrics":[{"Namespace":"N","Metrics":[{"Name":"X"}]}]}}""", "has no member")]
    [InlineData("""{"_aws":{"Timestamp":0,"CloudWatchMetrics":[{"Namespace":"N","Metrics":[{"Name":"X"}]}]},"X":"42"}""",
        "neither a number")]
    [InlineData("""{"_aws":{"Timestamp":0,"CloudWatchMetrics":[{"Namespace":"N","Metrics":[{"Name":"X"}]}]},"X":[]}""", "neither a number")]
    [InlineData("""{"_aws":{"Timestamp":0,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["S"]],"Metrics":[{"Name":"X"}]}]},"X":1}""",
        "Dimension S")]
    [InlineData("""{"_aws":{"Timestamp":0,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["S"]],"Metrics":[{"Name":"X"}]}]},"S":3}""",
        "Dimension S")]
    [InlineData("""{"_aws":{"Timestamp":0,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":["S"],"Metrics":[{"Name":"X"}]}]},"S":"s"}""",
        "dimension set")]
    public void A_document_breaking_a_rule_is_refused_whole(string document, string reason)
    {
        var refused = Assert.Throws<FormatException>(() => EmfDocument.Parse(Json(document)));
        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_limits_of_the_specification_hold()
    {
        var thirtyOne = string.Join(',', Enumerable.Range(0, 31).Select(i => $"\"D{i}\""));
        var dimensionValues = string.Join(',', Enumerable.Range(0, 31).Select(i => $"\"D{i}\":\"v\""));
        Assert.Throws<FormatException>(() => EmfDocument.Parse(Json($$"""
            {"_aws":{"Timestamp":0,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[{{thirtyOne}}]],"Metrics":[{"Name":"X"}]}]},
             "X":1,{{dimensionValues}}}
            """)));
        var hundredAndOne = string.Join(',', Enumerable.Range(0, 101));
        Assert.Throws<FormatException>(() => EmfDocument.Parse(Json($$"""
            {"_aws":{"Timestamp":0,"CloudWatchMetrics":[{"Namespace":"N","Metrics":[{"Name":"X"}]}]},"X":[{{hundredAndOne}}]}
            """)));
        Assert.Equal(100, EmfDocument.Parse(Json($$"""
            {"_aws":{"Timestamp":0,"CloudWatchMetrics":[{"Namespace":"N","Metrics":[{"Name":"X"}]}]},"X":[{{string.Join(',',
                Enumerable.Range(0, 100))}}]}
            """)).Count);
    }
}
