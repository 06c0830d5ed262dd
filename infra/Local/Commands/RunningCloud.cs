using System.Net.Sockets;
using System.Text.Json.Nodes;
using Serverless.Local.Template;

namespace Serverless.Local.Commands;

/// <summary>
/// A local cloud that is running, as its <c>.local/outputs.json</c> describes it: its emulators' endpoints and the
/// physical ids of the resources the template's Outputs name (<c>Value: !Ref X</c>), so a function run on its own
/// talks to the same table, pool and bucket as the running functions.
/// </summary>
internal sealed class RunningCloud(IReadOnlyDictionary<string, string> outputs)
{
    /// <summary>The outputs naming an emulator, by the service of its <c>AWS_ENDPOINT_URL_{SERVICE}</c>.</summary>
    private static readonly Dictionary<string, string> EndpointOutputs = new()
    {
        ["DynamoDbEndpoint"] = "DYNAMODB",
        ["CognitoEndpoint"] = "COGNITO_IDENTITY_PROVIDER",
        ["LambdaEndpoint"] = "LAMBDA",
        ["SageMakerEndpointUrl"] = "SAGEMAKER_RUNTIME",
        ["S3Endpoint"] = "S3",
    };

    /// <summary>Service → URL of each emulator the outputs name.</summary>
    public IReadOnlyDictionary<string, string> Endpoints { get; } = outputs
        .Where(output => EndpointOutputs.ContainsKey(output.Key))
        .ToDictionary(output => EndpointOutputs[output.Key], output => output.Value);

    /// <summary>The running local cloud, or null when there is no <c>outputs.json</c> or one of its endpoints does not answer.</summary>
    public static async Task<RunningCloud?> FindAsync(string stateDirectory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(stateDirectory, "outputs.json");
        if (!File.Exists(path)) return null;
        var outputs = new Dictionary<string, string>();
        foreach (var output in JsonNode.Parse(await File.ReadAllTextAsync(path, cancellationToken))?.AsArray() ?? [])
            outputs[output!["OutputKey"]!.GetValue<string>()] = output["OutputValue"]!.GetValue<string>();
        var cloud = new RunningCloud(outputs);
        foreach (var (_, url) in cloud.Endpoints)
            if (!await AnswersAsync(new Uri(url), cancellationToken)) return null;
        return cloud.Endpoints.Count > 0 ? cloud : null;
    }

    /// <summary>The value of each resource an Output names with <c>!Ref</c>: that output's value.</summary>
    public Dictionary<string, JsonNode?> PhysicalIds(SamTemplate template)
    {
        var ids = new Dictionary<string, JsonNode?>();
        foreach (var (key, output) in template.Outputs)
            if (output?["Value"]?["Ref"]?.GetValue<string>() is { } resource && template.Resources.ContainsKey(resource)
                && outputs.TryGetValue(key, out var value))
                ids[resource] = value;
        return ids;
    }

    private static async Task<bool> AnswersAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            await client.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token);
            return true;
        }
        catch (Exception error) when (error is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
