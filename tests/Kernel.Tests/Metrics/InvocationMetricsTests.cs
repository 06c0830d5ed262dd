using System.Text;
using System.Text.Json;
using Serverless.Kernel.Metrics;
using Serverless.TestUtilities;

namespace Serverless.Kernel.Tests.Metrics;

/// <summary>The EMF lines against the specification's rules (CloudWatch_Embedded_Metric_Format_Specification).</summary>
public class InvocationMetricsTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_715_680_600_123);

    private static InvocationMetrics Metrics() => new("Serverless", [new("Service", "ProcessUpload")],
        [new("function_request_id", "r-1"), new("xray_trace_id", "1-5759e988-bd862e3fe1be46a994272793")]);

    [Fact]
    public void A_line_is_the_powertools_shape_with_each_metric_and_dimension_a_top_level_member()
    {
        var metrics = Metrics();
        metrics.Add("RowsScored", 64);
        metrics.Add("ModelLatency", 812.5, MetricUnit.Milliseconds);

        var line = Assert.Single(MetricLines.Flush(metrics, Now));

        var aws = line.GetProperty("_aws");
        Assert.Equal(1_715_680_600_123, aws.GetProperty("Timestamp").GetInt64());
        var directive = Assert.Single(aws.GetProperty("CloudWatchMetrics").EnumerateArray().ToList());
        Assert.Equal("Serverless", directive.GetProperty("Namespace").GetString());
        var dimensionSet = Assert.Single(directive.GetProperty("Dimensions").EnumerateArray().ToList());
        Assert.Equal(["Service"], dimensionSet.EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(
            [("RowsScored", "Count"), ("ModelLatency", "Milliseconds")],
            directive.GetProperty("Metrics").EnumerateArray()
                .Select(m => (m.GetProperty("Name").GetString(), m.GetProperty("Unit").GetString())));
        Assert.All(directive.GetProperty("Metrics").EnumerateArray(), m => Assert.False(m.TryGetProperty("StorageResolution", out _)));
        Assert.Equal("ProcessUpload", line.GetProperty("Service").GetString());
        Assert.Equal(64, line.GetProperty("RowsScored").GetDouble());
        Assert.Equal(812.5, line.GetProperty("ModelLatency").GetDouble());
        Assert.Equal("r-1", line.GetProperty("function_request_id").GetString());
        Assert.Equal("1-5759e988-bd862e3fe1be46a994272793", line.GetProperty("xray_trace_id").GetString());
    }

    [Fact]
    public void Each_line_is_one_line_of_its_own_ending_in_a_line_feed()
    {
        var metrics = Metrics();
        metrics.Add("RowsScored", 1);
        var writes = new List<string>();

        metrics.Flush(new LineStream(writes.Add), Now);

        var write = Assert.Single(writes);
        Assert.EndsWith("\n", write);
        Assert.DoesNotContain('\n', write[..^1]);
    }

    [Fact]
    public void Values_added_to_one_metric_are_an_array_of_samples()
    {
        var metrics = Metrics();
        metrics.Add("RowsScored", 64);
        metrics.Add("RowsScored", 64);
        metrics.Add("RowsScored", 12);

        var line = Assert.Single(MetricLines.Flush(metrics, Now));

        Assert.Equal(JsonValueKind.Array, line.GetProperty("RowsScored").ValueKind);
        Assert.Equal([64, 64, 12], line.GetProperty("RowsScored").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Single(line.GetProperty("_aws").GetProperty("CloudWatchMetrics")[0].GetProperty("Metrics").EnumerateArray());
    }

    [Fact]
    public void Over_100_metrics_go_on_several_lines_of_at_most_100()
    {
        var metrics = Metrics();
        for (var i = 0; i < 150; i++) metrics.Add($"Metric{i}", i);

        var lines = MetricLines.Flush(metrics, Now);

        Assert.Equal([100, 50], lines.Select(DeclaredMetrics).Select(names => names.Count));
        Assert.Equal(Enumerable.Range(0, 150).Select(i => $"Metric{i}"), lines.SelectMany(DeclaredMetrics));
        Assert.All(lines, line => Assert.All(DeclaredMetrics(line), name => Assert.True(line.TryGetProperty(name, out _))));
        Assert.All(lines, line => Assert.Equal("ProcessUpload", line.GetProperty("Service").GetString()));
    }

    [Fact]
    public void Over_100_values_of_a_metric_go_on_several_lines_of_at_most_100()
    {
        var metrics = Metrics();
        for (var i = 0; i < 250; i++) metrics.Add("ModelLatency", i, MetricUnit.Milliseconds);
        metrics.Add("RowsScored", 7);

        var lines = MetricLines.Flush(metrics, Now);

        Assert.Equal([100, 100, 50], lines.Select(line => line.GetProperty("ModelLatency").GetArrayLength()));
        Assert.Equal(Enumerable.Range(0, 250).Select(i => (double)i), lines.Values("ModelLatency"));
        Assert.Equal([7.0], lines.Values("RowsScored"));
    }

    [Fact]
    public void A_high_resolution_metric_says_so()
    {
        var metrics = Metrics();
        metrics.Add("ModelLatency", 5, MetricUnit.Milliseconds, StorageResolution.High);

        var line = Assert.Single(MetricLines.Flush(metrics, Now));

        var definition = line.GetProperty("_aws").GetProperty("CloudWatchMetrics")[0].GetProperty("Metrics")[0];
        Assert.Equal(1, definition.GetProperty("StorageResolution").GetInt32());
    }

    [Theory]
    [InlineData(MetricUnit.BytesPerSecond, "Bytes/Second")]
    [InlineData(MetricUnit.CountPerSecond, "Count/Second")]
    [InlineData(MetricUnit.Percent, "Percent")]
    [InlineData(MetricUnit.None, "None")]
    public void Units_are_written_by_their_CloudWatch_names(MetricUnit unit, string name)
    {
        var metrics = Metrics();
        metrics.Add("M", 1, unit);

        var line = Assert.Single(MetricLines.Flush(metrics, Now));

        Assert.Equal(name, line.GetProperty("_aws").GetProperty("CloudWatchMetrics")[0].GetProperty("Metrics")[0]
            .GetProperty("Unit").GetString());
    }

    [Fact]
    public void Nothing_added_writes_nothing_and_a_flush_forgets_what_it_wrote()
    {
        var metrics = Metrics();
        var output = new MemoryStream();
        metrics.Flush(output, Now);
        Assert.Equal(0, output.Length);

        metrics.Add("RowsScored", 1);
        Assert.Single(MetricLines.Flush(metrics, Now));
        Assert.Empty(MetricLines.Flush(metrics, Now));
    }

    [Fact]
    public void Values_added_from_parallel_tasks_are_all_written()
    {
        var metrics = Metrics();

        Parallel.For(0, 1_000, i => metrics.Add(i % 2 == 0 ? "RowsScored" : "RowsFailed", 1));

        var lines = MetricLines.Flush(metrics, Now);
        Assert.Equal(500, lines.Values("RowsScored").Sum());
        Assert.Equal(500, lines.Values("RowsFailed").Sum());
        Assert.All(lines, line => Assert.All(DeclaredMetrics(line), name => Assert.True(line.GetProperty(name).GetArrayLength() <= 100)));
    }

    [Fact]
    public void A_unit_CloudWatch_does_not_have_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Metrics().Add("M", 1, (MetricUnit)999));
        Assert.Throws<ArgumentOutOfRangeException>(() => Metrics().Add("M", 1, MetricUnit.Count, (StorageResolution)30));
    }

    [Fact]
    public void A_metric_keeps_the_unit_it_was_first_added_with()
    {
        var metrics = Metrics();
        metrics.Add("ModelLatency", 1, MetricUnit.Milliseconds);

        Assert.Throws<ArgumentException>(() => metrics.Add("ModelLatency", 1, MetricUnit.Seconds));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void A_value_that_is_not_a_finite_number_is_refused(double value) =>
        Assert.Throws<ArgumentException>(() => Metrics().Add("M", value));

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("Service")]
    [InlineData("function_request_id")]
    [InlineData("_aws")]
    public void A_metric_name_that_is_empty_or_names_another_member_is_refused(string name) =>
        Assert.Throws<ArgumentException>(() => Metrics().Add(name, 1));

    [Fact]
    public void A_metric_name_over_255_characters_is_refused()
    {
        Metrics().Add(new string('m', 255), 1);
        Assert.Throws<ArgumentException>(() => Metrics().Add(new string('m', 256), 1));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("AWS/Lambda")]
    [InlineData("Server$less")]
    [InlineData("Serverlessé")]
    public void A_namespace_CloudWatch_would_refuse_is_refused(string @namespace) =>
        Assert.Throws<ArgumentException>(() => new InvocationMetrics(@namespace, [new("Service", "s")]));

    [Fact]
    public void A_namespace_of_the_characters_CloudWatch_takes_is_taken()
    {
        var metrics = new InvocationMetrics("My.App-1_x/Api #2:prod", [new("Service", "s")]);
        metrics.Add("M", 1);
        Assert.Equal("My.App-1_x/Api #2:prod",
            Assert.Single(MetricLines.Flush(metrics, Now)).GetProperty("_aws").GetProperty("CloudWatchMetrics")[0]
                .GetProperty("Namespace").GetString());
        Assert.Throws<ArgumentException>(() => new InvocationMetrics(new string('n', 256), [new("Service", "s")]));
    }

    [Fact]
    public void At_most_30_dimensions_are_taken()
    {
        var thirty = Enumerable.Range(0, 30).Select(i => new KeyValuePair<string, string>($"D{i}", "v")).ToList();
        var metrics = new InvocationMetrics("Serverless", thirty);
        metrics.Add("M", 1);
        var line = Assert.Single(MetricLines.Flush(metrics, Now));
        Assert.Equal(30, line.GetProperty("_aws").GetProperty("CloudWatchMetrics")[0].GetProperty("Dimensions")[0].GetArrayLength());
        Assert.All(thirty, d => Assert.Equal(JsonValueKind.String, line.GetProperty(d.Key).ValueKind));

        Assert.Throws<ArgumentException>(() => new InvocationMetrics("Serverless", [.. thirty, new("D30", "v")]));
    }

    [Theory]
    [InlineData("Service", "")]
    [InlineData("", "ProcessUpload")]
    [InlineData(":Service", "ProcessUpload")]
    public void A_dimension_with_an_empty_name_or_value_is_refused(string name, string value) =>
        Assert.Throws<ArgumentException>(() => new InvocationMetrics("Serverless", [new(name, value)]));

    [Fact]
    public void A_dimension_value_over_1024_characters_is_refused() =>
        Assert.Throws<ArgumentException>(() => new InvocationMetrics("Serverless", [new("Service", new string('s', 1025))]));

    [Fact]
    public void The_line_is_utf8_json_with_names_escaped()
    {
        var metrics = new InvocationMetrics("Serverless", [new("Service", "Uploads \"api\"")]);
        metrics.Add("Rows\"Scored", 1);
        var writes = new List<string>();

        metrics.Flush(new LineStream(writes.Add), Now);

        var line = JsonDocument.Parse(Encoding.UTF8.GetBytes(Assert.Single(writes))).RootElement;
        Assert.Equal("Uploads \"api\"", line.GetProperty("Service").GetString());
        Assert.Equal(1, line.GetProperty("Rows\"Scored").GetDouble());
    }

    private static List<string> DeclaredMetrics(JsonElement line) =>
        line.GetProperty("_aws").GetProperty("CloudWatchMetrics")[0].GetProperty("Metrics").EnumerateArray()
            .Select(m => m.GetProperty("Name").GetString()!).ToList();
}
