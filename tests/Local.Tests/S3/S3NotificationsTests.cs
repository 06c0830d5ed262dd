using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Local.Emulators;
using Serverless.Local.S3;
using Serverless.Local.Template;
using Serverless.Local.Tests.Lambda;

namespace Serverless.Local.Tests.S3;

/// <summary>
/// S3 notifications delivered to a shell-script function through the local Lambda service (asynchronously),
/// and read from the template. The function keeps every event it gets as <c>$PACKAGE_DIR/events/{request id}</c>.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class S3NotificationsTests : IAsyncLifetime
{
    internal const string RecordsEvents = "while true; do\n" + ShellFunctions.Next + """

          mkdir -p "$PACKAGE_DIR/events"; cp event "$PACKAGE_DIR/events/$id"
          curl -s -X POST -d '{}' "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$id/response"
        done
        """;

    private static readonly DateTimeOffset Time = new(2026, 11, 29, 8, 30, 5, 123, TimeSpan.Zero);
    private ShellFunctions functions = null!;

    public async Task InitializeAsync() => functions = await ShellFunctions.StartAsync();

    public async Task DisposeAsync() => await functions.DisposeAsync();

    [Fact]
    public async Task Each_matching_change_reaches_the_function_once_with_increasing_sequencers()
    {
        functions.Register("OnUpload", RecordsEvents);
        var delivered = new List<string>();
        var notifications = new S3Notifications([new S3Subscription("OnUpload", "files", ["s3:ObjectCreated:*"], "uploads/", "",
            "Y29uZmln")],
            functions.Service, TimeProvider.System, delivered.Add);

        notifications.Publish(new S3ObjectEvent("files", "uploads/a b.csv", "ObjectCreated:Put", 5, "e1", Time, "127.0.0.1"));
        notifications.Publish(new S3ObjectEvent("files", "results/a.jsonl", "ObjectCreated:Put", 5, "e2", Time, "127.0.0.1"));
        notifications.Publish(new S3ObjectEvent("files", "uploads/a b.csv", "ObjectRemoved:Delete", null, null, Time, "127.0.0.1"));
        notifications.Publish(new S3ObjectEvent("files", "uploads/a b.csv", "ObjectCreated:Copy", 5, "e3", Time, "127.0.0.1"));
        var events = await EventsAsync(functions, "OnUpload", 2);

        // Publishing is synchronous: the two deliveries logged are all there are.
        Assert.Equal(2, delivered.Count);
        Assert.All(delivered, line => Assert.StartsWith("[s3] ObjectCreated:", line));
        // Asynchronous invocations arrive in any order (as on Lambda); the sequencers give the order of the changes.
        var records = events.Select(message => Assert.Single(message["Records"]!.AsArray())!)
            .OrderBy(record => (string)record["s3"]!["object"]!["sequencer"]!, StringComparer.Ordinal).ToList();
        Assert.Equal(["ObjectCreated:Put", "ObjectCreated:Copy"], records.Select(record => (string?)record["eventName"]));
        Assert.All(records, record => Assert.Equal("uploads/a+b.csv", (string?)record["s3"]!["object"]!["key"]));
        Assert.All(records, record => Assert.Equal("Y29uZmln", (string?)record["s3"]!["configurationId"]));
        Assert.All(records, record => Assert.Matches("^[0-9A-F]{18}$", (string?)record["s3"]!["object"]!["sequencer"]));
    }

    [Fact]
    public void The_templates_upload_trigger_is_ObjectCreated_under_uploads_on_the_files_bucket()
    {
        var template = SamTemplate.Load(LocalCloudOptions.FindRepoRoot(AppContext.BaseDirectory) + "/template.yaml");
        var resolver = new IntrinsicResolver(
            new Dictionary<string, JsonNode?> { ["Bucket"] = "serverless-local-files-000000000000-us-east-1" },
            new Dictionary<string, string>());

        var subscription = Assert.Single(S3Subscription.FromTemplate(template, resolver, LocalResources.FunctionNames(template)));

        Assert.Equal("serverless-local-ProcessUpload", subscription.FunctionName);
        Assert.Equal("serverless-local-files-000000000000-us-east-1", subscription.Bucket);
        Assert.Equal(["s3:ObjectCreated:*"], subscription.Events);
        Assert.Equal(("uploads/", ""), (subscription.Prefix, subscription.Suffix));
        Assert.Matches("^[A-Za-z0-9+/]{48}$", subscription.ConfigurationId);
        Assert.Equal(subscription.ConfigurationId, S3Subscription.FromTemplate(template, resolver,
            LocalResources.FunctionNames(template)).Single().ConfigurationId);
    }

    [Fact]
    public void Events_may_be_a_list_and_filters_any_case()
    {
        var template = new SamTemplate(JsonNode.Parse("""
            {"Resources": {"Fn": {"Type": "AWS::Serverless::Function", "Properties": {"Events": {
              "Images": {"Type": "S3", "Properties": {"Bucket": {"Ref": "Media"}, "Events": ["s3:ObjectCreated:Put", "s3:ObjectRemoved:*"],
                "Filter": {"S3Key": {"Rules": [{"Name": "Suffix", "Value": ".jpg"}, {"Name": "prefix", "Value": "images/"}]}}}},
              "Api": {"Type": "HttpApi", "Properties": {"Path": "/x", "Method": "GET"}}}}}}}
            """)!.AsObject());
        var resolver = new IntrinsicResolver(new Dictionary<string, JsonNode?> { ["Media"] = "media" }, new Dictionary<string, string>());

        var subscription = Assert.Single(S3Subscription.FromTemplate(template, resolver, LocalResources.FunctionNames(template)));

        Assert.Equal(new[] { "s3:ObjectCreated:Put", "s3:ObjectRemoved:*" }, subscription.Events);
        Assert.Equal(("media", "images/", ".jpg"), (subscription.Bucket, subscription.Prefix, subscription.Suffix));
    }

    /// <summary>Waits for <paramref name="count"/> events at the function, then returns them all.</summary>
    internal static async Task<IReadOnlyList<JsonNode>> EventsAsync(ShellFunctions functions, string function, int count)
    {
        var directory = Path.Combine(functions.PackageDirectory(function), "events");
        IReadOnlyList<string> Files() => Directory.Exists(directory) ? Directory.GetFiles(directory) : [];
        await functions.EventuallyAsync(() => Files().Count >= count, $"{count} events at {function}");
        // A file appears when cp starts writing it: read each once it parses.
        var events = new List<JsonNode>();
        foreach (var file in Files())
        {
            JsonNode? parsed = null;
            await functions.EventuallyAsync(() => TryParse(file, out parsed), $"the whole of {file}");
            events.Add(parsed!);
        }
        return events;
    }

    private static bool TryParse(string file, out JsonNode? parsed)
    {
        try
        {
            parsed = JsonNode.Parse(File.ReadAllText(file));
            return true;
        }
        catch (JsonException)
        {
            parsed = null;
            return false;
        }
    }
}
