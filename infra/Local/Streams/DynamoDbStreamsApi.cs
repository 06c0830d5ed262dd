using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Serverless.Kernel.Aws;
using Serverless.Local.Lambda;

namespace Serverless.Local.Streams;

/// <summary>
/// The three DynamoDB Streams operations an event source mapping needs (<c>DescribeStream</c>, <c>GetShardIterator</c>,
/// <c>GetRecords</c>), sent to DynamoDB Local as AWS does: awsJson1_0, <c>X-Amz-Target: DynamoDBStreams_20120810.*</c>,
/// SigV4 for the <c>dynamodb</c> signing name (AWSSDK.DynamoDBStreams is not available here).
/// Answers stay JSON, so records reach the function exactly as the service sent them.
/// </summary>
public sealed class DynamoDbStreamsApi(AwsJsonClient client)
{
    public static AwsJsonService Service { get; } = new(
        SigningName: "dynamodb",
        EndpointPrefix: "streams.dynamodb",
        EnvironmentName: "DYNAMODB_STREAMS",
        TargetPrefix: "DynamoDBStreams_20120810",
        JsonVersion: "1.0");

    public DynamoDbStreamsApi(HttpClient http, string endpoint)
        : this(new AwsJsonClient(http, Service, credentials: new Amazon.Runtime.BasicAWSCredentials(LocalAccount.AccessKeyId,
            LocalAccount.SecretAccessKey),
            region: LocalAccount.Region, endpoint: new Uri(endpoint)))
    {
    }

    /// <summary>Every shard of the stream, following <c>LastEvaluatedShardId</c> through the pages.</summary>
    public async Task<List<StreamShard>> DescribeShardsAsync(string streamArn, CancellationToken cancellationToken)
    {
        var shards = new List<StreamShard>();
        string? start = null;
        do
        {
            var request = new JsonObject { ["StreamArn"] = streamArn };
            if (start is not null) request["ExclusiveStartShardId"] = start;
            var answer = await SendAsync("DescribeStream", request, cancellationToken);
            var description = answer["StreamDescription"]!;
            foreach (var shard in description["Shards"]?.AsArray() ?? [])
                shards.Add(new StreamShard(
                    shard!["ShardId"]!.GetValue<string>(),
                    shard["ParentShardId"]?.GetValue<string>(),
                    shard["SequenceNumberRange"]?["EndingSequenceNumber"] is not null));
            start = description["LastEvaluatedShardId"]?.GetValue<string>();
        } while (start is not null);
        return shards;
    }

    /// <summary>
    /// An iterator at <c>TRIM_HORIZON</c> or <c>LATEST</c>, or (with <paramref name="afterSequenceNumber"/>) right after
    /// a record: where a mapping resumes after its checkpoint.
    /// </summary>
    public async Task<string> GetShardIteratorAsync(string streamArn, string shardId, string startingPosition, string? afterSequenceNumber,
        CancellationToken cancellationToken)
    {
        var request = new JsonObject { ["StreamArn"] = streamArn, ["ShardId"] = shardId };
        if (afterSequenceNumber is null)
        {
            request["ShardIteratorType"] = startingPosition;
        }
        else
        {
            request["ShardIteratorType"] = "AFTER_SEQUENCE_NUMBER";
            request["SequenceNumber"] = afterSequenceNumber;
        }
        var answer = await SendAsync("GetShardIterator", request, cancellationToken);
        return answer["ShardIterator"]!.GetValue<string>();
    }

    /// <summary>Up to <paramref name="limit"/> records (the service takes at most 1000) and the next iterator, null
    /// once a closed shard is read to its end.</summary>
    public async Task<(List<JsonObject> Records, string? NextIterator)> GetRecordsAsync(string iterator, int limit,
        CancellationToken cancellationToken)
    {
        var answer = await SendAsync("GetRecords", new JsonObject { ["ShardIterator"] = iterator, ["Limit"] = Math.Min(limit, 1000) },
            cancellationToken);
        var array = answer["Records"]?.AsArray() ?? [];
        var records = array.Select(record => record!.AsObject()).ToList();
        array.Clear(); // detaches them, so each can become part of an event
        return (records, answer["NextShardIterator"]?.GetValue<string>());
    }

    private Task<JsonObject> SendAsync(string operation, JsonObject request, CancellationToken cancellationToken) =>
        client.SendAsync(operation, request, StreamsJsonContext.Default.JsonObject, StreamsJsonContext.Default.JsonObject,
            cancellationToken);
}

/// <summary>A shard as <c>DescribeStream</c> lists it; a closed shard has an ending sequence number and gets no new records.</summary>
public sealed record StreamShard(string ShardId, string? ParentShardId, bool Closed);

[JsonSerializable(typeof(JsonObject))]
internal sealed partial class StreamsJsonContext : JsonSerializerContext;
