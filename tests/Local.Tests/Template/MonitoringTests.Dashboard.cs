using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Serverless.Local.Template;

namespace Serverless.Local.Tests.Template;

// The dashboard half of the monitoring invariants: its JSON, and that it shows exactly the metrics the functions write.
public sealed partial class MonitoringTests
{
    [Fact]
    public void The_dashboard_body_is_JSON_showing_every_alarm_and_metrics_that_exist()
    {
        var dashboard = Template.ResourcesOfType("AWS::CloudWatch::Dashboard").Single();
        var resolver = OfflineValues.Resolver(Template);
        var body = JsonNode.Parse(resolver.ResolveString(dashboard.Properties["DashboardBody"]))!;
        var widgets = body["widgets"]!.AsArray().Select(widget => widget!.AsObject()).ToList();

        var shown = widgets.Single(widget => widget["type"]!.GetValue<string>() == "alarm")["properties"]!["alarms"]!.AsArray()
            .Select(arn => arn!.GetValue<string>());
        var alarmArns = Alarms.Select(alarm => resolver.ResolveString(new JsonObject
        {
            ["Fn::GetAtt"] = new JsonArray(alarm.LogicalId, "Arn"),
        }));
        Assert.Equal(alarmArns.Order(), shown.Order());

        var rows = widgets.Where(widget => widget["type"]!.GetValue<string>() == "metric")
            .SelectMany(widget => widget["properties"]!["metrics"]!.AsArray()).Select(DashboardRow).ToList();
        var emitted = EmittedMetrics(membersOnly: false);
        var problems = rows.SelectMany(row => row.Namespace == "Serverless"
            ? NotEmitted(row, emitted, resolver)
            : UndocumentedAws(row.Namespace, row.Name, row.Dimensions.Select(pair => pair.Key))).ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.All(widgets, widget => Assert.InRange(widget["x"]!.GetValue<int>() + widget["width"]!.GetValue<int>(), 1, 24));
        var endpoint = resolver.ResolveString(Template.FunctionProperties("PredictionsApiFunction")["Environment"]!["Variables"]!
            ["MODEL_ENDPOINT_NAME"]);
        Assert.All(rows.Where(row => row.Namespace == "AWS/SageMaker"), row => Assert.Equal(endpoint, row.Dimensions["EndpointName"]));
        // And the other way: every figure a function surely writes is on the dashboard, for every function that writes it.
        Assert.Subset(rows.Where(row => row.Namespace == "Serverless").Select(row => (row.Name, row.Dimensions["Service"])).ToHashSet(),
            EmittedMetrics(membersOnly: true));
    }

    [Fact]
    public void The_outputs_give_the_dashboards_console_URL_and_the_alarm_topic()
    {
        Assert.Contains("#dashboards/dashboard/${Dashboard}", Template.Outputs["DashboardUrl"]!["Value"]!["Fn::Sub"]!.GetValue<string>());
        Assert.Equal("AlarmTopic", RefTarget(Template.Outputs["AlarmTopicArn"]!["Value"]));
    }

    /// <summary>A dashboard metric row: <c>[namespace, name, dimension, value, ..., {options}]</c>.</summary>
    private static (string Namespace, string Name, Dictionary<string, string> Dimensions) DashboardRow(JsonNode? row)
    {
        var items = row!.AsArray().Where(item => item is not JsonObject).Select(item => item!.GetValue<string>()).ToList();
        var dimensions = new Dictionary<string, string>();
        for (var i = 2; i + 1 < items.Count; i += 2) dimensions[items[i]] = items[i + 1];
        return (items[0], items[1], dimensions);
    }

    /// <summary>
    /// The custom metrics the functions write (namespace Serverless), as (name, Service): each <c>Metric.Add</c> (named by a
    /// literal or a <c>MetricNames</c> constant) in the code the function's handler reaches, with the handler as Service, and
    /// the kernel bootstrap's ColdStart line of every function. <paramref name="membersOnly"/> counts only the members the
    /// handler reaches (<see cref="FunctionSources.ReachableMembers"/>: fewer, but each one sure), else every such call in
    /// the files it reaches (<see cref="FunctionSources.Reachable"/>: each one it may write).
    /// </summary>
    private HashSet<(string Name, string Service)> EmittedMetrics(bool membersOnly)
    {
        var kernel = Path.Combine(fixture.Sources.RepoRoot, "functions", "Kernel");
        var constantsFile = Path.Combine(kernel, "Metrics", "MetricNames.cs");
        var constants = MetricNameConstant().Matches(File.ReadAllText(constantsFile))
            .ToDictionary(match => match.Groups[1].Value, match => match.Groups[2].Value);
        string NameOf(Match added) =>
            added.Groups["constant"].Success ? constants[added.Groups["constant"].Value] : added.Groups["literal"].Value;
        var coldStart = MetricAdded().Matches(File.ReadAllText(Path.Combine(kernel, "Runtime", "LambdaBootstrap.cs")))
            .Any(added => NameOf(added) == "ColdStart");

        var emitted = new HashSet<(string, string)>();
        foreach (var function in fixture.Sources.Functions)
        {
            var handler = fixture.Sources.Handler(function);
            if (coldStart) emitted.Add(("ColdStart", handler));
            var code = membersOnly
                ? fixture.Sources.ReachableMembers(function).Select(member => member.Text)
                : fixture.Sources.Reachable(function).Select(file => file.Text);
            foreach (var text in code)
                foreach (Match added in MetricAdded().Matches(text))
                    emitted.Add((NameOf(added), handler));
        }
        return emitted;
    }

    private IEnumerable<string> NotEmitted((string Namespace, string Name, Dictionary<string, string> Dimensions) row,
        HashSet<(string Name, string Service)> emitted, IntrinsicResolver resolver)
    {
        var service = row.Dimensions.GetValueOrDefault("Service") ?? "";
        if (!emitted.Contains((row.Name, service)))
            yield return $"Serverless {row.Name} with Service={service}: no function with that handler writes it";
        string[] written = row.Name == "ColdStart" ? ["function_name", "Service"] : ["Service"];
        if (!row.Dimensions.Keys.Order().SequenceEqual(written.Order()))
            yield return $"Serverless {row.Name}: dimensions [{string.Join(", ", row.Dimensions.Keys)}], written with [{string.Join(", ",
                written)}]";
        if (row.Name != "ColdStart") yield break;
        var function = fixture.Sources.Functions.Single(function => fixture.Sources.Handler(function) == service);
        var name = resolver.ResolveString(new JsonObject { ["Ref"] = function });
        var shown = row.Dimensions.GetValueOrDefault("function_name");
        if (shown != name) yield return $"Serverless ColdStart of {service}: function_name {shown}, not {name}";
    }

    [GeneratedRegex(@"(?:\bMetric|Metrics)\.Add\(\s*(?:MetricNames\.(?<constant>\w+)|""(?<literal>\w+)"")")]
    private static partial Regex MetricAdded();

    [GeneratedRegex(@"const string (\w+) = ""(\w+)"";")]
    private static partial Regex MetricNameConstant();
}
