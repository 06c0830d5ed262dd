using Serverless.Local.Lambda;

namespace Serverless.Local.Streams;

/// <summary>
/// One DynamoDB event source mapping at work: follows the stream's shards (<c>DescribeStream</c> every second) and
/// reads each with a <see cref="ShardReader"/>, a child shard only once its parent has been read to its end, so
/// records of one key stay in order across shard splits. The mapping's <c>StartingPosition</c> applies to the shards
/// there are when it starts; shards that appear later are read from their beginning.
/// </summary>
public sealed class StreamPoller : IAsyncDisposable
{
    private static readonly TimeSpan DescribeInterval = TimeSpan.FromSeconds(1);

    private readonly StreamEventSource source;
    private readonly DynamoDbStreamsApi api;
    private readonly ShardReader reader;
    private readonly TimeProvider time;
    private readonly Action<string> log;
    private readonly CancellationTokenSource stopping = new();
    private Task running = Task.CompletedTask;

    public StreamPoller(StreamEventSource source, DynamoDbStreamsApi api, LambdaService lambda, OnFailureDestination destination,
        TimeProvider time, Action<string> log)
    {
        this.source = source;
        this.api = api;
        this.time = time;
        this.log = log;
        reader = new ShardReader(source, api, new BatchDelivery(source, lambda, destination, time, log), time, log);
    }

    public static StreamPoller Start(StreamEventSource source, DynamoDbStreamsApi api, LambdaService lambda,
        OnFailureDestination destination,
        TimeProvider time, Action<string> log)
    {
        var poller = new StreamPoller(source, api, lambda, destination, time, log);
        poller.running = poller.RunAsync(poller.stopping.Token);
        return poller;
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var readers = new Dictionary<string, Task>();
        var finished = new HashSet<string>();
        var firstPass = true;
        log($"[{source.FunctionName}] polling {source.StreamArn} from {source.StartingPosition}, batches of up to {source.BatchSize}");
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var shards = await api.DescribeShardsAsync(source.StreamArn, cancellationToken);
                var known = shards.Select(shard => shard.ShardId).ToHashSet();
                foreach (var (id, task) in readers)
                    if (task.IsCompletedSuccessfully) finished.Add(id);
                foreach (var shard in shards)
                {
                    if (readers.ContainsKey(shard.ShardId)) continue;
                    if (shard.ParentShardId is { } parent && known.Contains(parent) && !finished.Contains(parent)) continue;
                    // LATEST at the start: a shard closed before the mapping existed has nothing after "now".
                    if (firstPass && source.StartingPosition == "LATEST" && shard.Closed)
                    {
                        readers[shard.ShardId] = Task.CompletedTask;
                        continue;
                    }
                    readers[shard.ShardId] = reader.ReadAsync(shard.ShardId, firstPass ? source.StartingPosition : "TRIM_HORIZON",
                        cancellationToken);
                }
                firstPass = false;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break; // stopping: the local cloud is shutting down
            }
            catch (Exception error)
            {
                log($"[{source.FunctionName}] DescribeStream {source.StreamArn} failed: {error.Message}");
            }
            await Task.Delay(DescribeInterval, time, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
        await Task.WhenAll(readers.Values).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await running;
        stopping.Dispose();
    }
}
