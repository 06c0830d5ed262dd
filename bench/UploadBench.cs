using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Amazon.S3.Model;
using Serverless.Local;
using Serverless.Metering;
using Serverless.ServiceDefaults;

namespace Serverless.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench -- uploads</c>: ProcessUpload end to end in its own local cloud. For generated
/// CSVs of 10,000 and 100,000 rows: the file PUT to S3 → the notification → the function process → COMPLETED (the item's
/// <c>completedAt</c>), as rows/s; where that time went, from the function's <c>timings</c> log line and its process's
/// start; and the function process's peak resident memory (VmHWM) after each. Then the model server's own rows/s for the
/// same texts, called as ProcessUpload calls it (<see cref="TextsPerCall"/> texts a request, <see cref="InFlight"/> in
/// flight), and the upload's rows/s as a share of it; and, for comparison with earlier runs, at 64 texts a request (what
/// ProcessUpload sent before). The figures go to <c>.local/bench/uploads.json</c>.
/// </summary>
internal static class UploadBench
{
    // As ProcessUpload calls the model: BatchLimits.Default's texts a call, ProcessUploadSettings.MaxInFlight calls at once.
    private const int TextsPerCall = 256;
    private const int InFlight = 4;

    private static readonly string[] Texts =
    [
        "I love this product, it is wonderful!", "This is terrible and I hate it.", "The box is on the table.",
        "Excellent quality, I am very pleased.", "The service was awful and the food was disgusting.", "The meeting is at ten.",
    ];

    public static async Task RunAsync()
    {
        var timings = new ConcurrentQueue<JsonElement>();
        await using var cloud = await BenchCloud.StartAsync(line =>
        {
            if (TimingsLine(line) is { } found) timings.Enqueue(found);
        });
        using var db = LocalClients.DynamoDb(cloud.Outputs["DynamoDbEndpoint"]);
        using var s3 = LocalClients.S3(cloud.Outputs["S3Endpoint"]);
        using var http = new HttpClient();
        var results = new BenchResults("uploads");

        var (url, endpoint) = (cloud.Outputs["SageMakerEndpointUrl"], cloud.Outputs["ModelEndpointName"]);
        var runtimeApiHost = new Uri(cloud.Outputs["LambdaEndpoint"]).Authority;
        // The first upload starts the function's process (a cold start), the second finds it warm.
        foreach (var (rows, size) in new[] { (10_000, "10k"), (10_000, "10k warm"), (100_000, "100k") })
        {
            var file = Csv(rows);
            var sub = Guid.NewGuid().ToString();
            var id = Guid.CreateVersion7().ToString("N");
            var key = $"uploads/{sub}/{id}/bench.csv";
            var itemKey = new Dictionary<string, AttributeValue>
            {
                [Table.PartitionKey] = new() { S = Table.UserPartition(sub) },
                [Table.SortKey] = new() { S = MeteredUpload.SortKeyPrefix + id },
            };
            await db.PutItemAsync(new PutItemRequest
            {
                TableName = cloud.Outputs["TableName"],
                Item = new(itemKey)
                {
                    ["type"] = new() { S = "UPLOAD" }, ["uploadId"] = new() { S = id }, ["format"] = new() { S = "csv" },
                    ["objectKey"] = new() { S = key }, ["status"] = new() { S = "PENDING_UPLOAD" },
                    ["declaredSize"] = new() { N = file.Length.ToString(CultureInfo.InvariantCulture) },
                },
            });
            timings.Clear();
            var (functionCpu, modelCpu) = (FunctionProcess(runtimeApiHost)?.CpuSeconds ?? 0, ModelServerCpuSeconds());
            var putAt = DateTimeOffset.UtcNow;
            await s3.PutObjectAsync(new PutObjectRequest
            {
                BucketName = cloud.Outputs["BucketName"], Key = key, InputStream = new MemoryStream(file), UseChunkEncoding = false,
            });
            var putAnsweredAt = DateTimeOffset.UtcNow;
            Dictionary<string, AttributeValue> item;
            do
            {
                await Task.Delay(50);
                item = (await db.GetItemAsync(cloud.Outputs["TableName"], itemKey, consistentRead: true)).Item;
            }
            while (item["status"].S is "PENDING_UPLOAD" or "PROCESSING");
            var seenAt = DateTimeOffset.UtcNow;
            if (item["status"].S != "COMPLETED" || item["rowsProcessed"].N != rows.ToString(CultureInfo.InvariantCulture))
                throw new InvalidOperationException(
                    $"The {rows:N0}-row upload ended {item["status"].S} with {item["rowsProcessed"].N} rows processed: " +
                    "no throughput to report.");
            var completedAt = DateTimeOffset.Parse(item["completedAt"].S, CultureInfo.InvariantCulture);
            var seconds = (completedAt - putAt).TotalSeconds;
            var process = FunctionProcess(runtimeApiHost);
            (functionCpu, modelCpu) = ((process?.CpuSeconds ?? 0) - functionCpu, ModelServerCpuSeconds() - modelCpu);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ProcessUpload, {rows:N0}-row CSV ({file.Length / 1e6:0.0} MB), PUT -> COMPLETED:"));
            results.Add($"{size}-row upload, PUT -> COMPLETED", seconds, "s");
            var uploadRate = rows / seconds;
            results.Add($"{size}-row upload rows/s", uploadRate, "rows/s");
            if (process is { } found) results.Add($"{size}-row upload, function peak RSS (VmHWM)", found.PeakRssKiB / 1024.0, "MiB");
            // On two cores the model server and the function share the CPU: what each used says which one the upload waited on.
            results.Add($"{size}-row upload, CPU used by the function", functionCpu, "s");
            results.Add($"{size}-row upload, CPU used by the model server", modelCpu, "s");
            if (timings.LastOrDefault() is { ValueKind: JsonValueKind.Object } line)
                AddStages(results, size, line, putAt, putAnsweredAt, process?.StartedAt, completedAt, seenAt);
            else Console.WriteLine("  (no timings line from ProcessUpload: no stage breakdown)");

            var model = await ModelRowsPerSecondAsync(http, url, endpoint, rows, TextsPerCall, InFlight);
            results.Add($"{size}: model server alone, same texts ({TextsPerCall} a request, {InFlight} in flight) rows/s",
                model, "rows/s");
            results.Add($"{size}: model server alone, same texts (64 a request, {InFlight} in flight) rows/s",
                await ModelRowsPerSecondAsync(http, url, endpoint, rows, 64, InFlight), "rows/s");
            results.Add($"{size}-row upload / model server alone", 100 * uploadRate / model, "%");
        }
        // How many calls in flight the model server serves fastest: what ProcessUploadSettings.MostInFlight is tuned from.
        foreach (var inFlight in new[] { 1, 2, 8 })
        {
            results.Add($"100k: model server alone ({TextsPerCall} a request, {inFlight} in flight) rows/s",
                await ModelRowsPerSecondAsync(http, url, endpoint, 100_000, TextsPerCall, inFlight), "rows/s");
        }
        await results.SaveAsync();
    }

    /// <summary>
    /// The stages one after another (they add up to PUT → COMPLETED), from the function's timings line; then, within
    /// scoring, how long each part of ProcessUpload's pipeline was busy (they overlap).
    /// </summary>
    private static void AddStages(BenchResults results, string size, JsonElement line, DateTimeOffset putAt,
        DateTimeOffset putAnsweredAt, DateTimeOffset? processStartedAt, DateTimeOffset completedAt, DateTimeOffset seenAt)
    {
        double Ms(string name) => double.Parse(line.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);
        var loggedAt = DateTimeOffset.Parse(line.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture);
        var handlerAt = loggedAt.AddMilliseconds(-Ms("TotalMs"));
        var stage = $"{size}-row upload stage: ";
        results.Add(stage + "PUT to S3", (putAnsweredAt - putAt).TotalMilliseconds, "ms");
        if (processStartedAt is { } started && started > putAnsweredAt)
        {
            results.Add(stage + "S3 answered -> function process started (notification, dispatch)",
                (started - putAnsweredAt).TotalMilliseconds, "ms");
            results.Add(stage + "process started -> handler (cold start)", (handlerAt - started).TotalMilliseconds, "ms");
        }
        else
        {
            results.Add(stage + "S3 answered -> handler (notification, dispatch; warm)",
                (handlerAt - putAnsweredAt).TotalMilliseconds, "ms");
        }
        results.Add(stage + "claim", Ms("ClaimMs"), "ms");
        results.Add(stage + "claimed -> first model call", Ms("SetupMs"), "ms");
        results.Add(stage + "first model call -> last result line", Ms("ScoringMs"), "ms");
        results.Add(stage + "last result line -> COMPLETED", Ms("EndMs"), "ms");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  (COMPLETED written -> seen by the bench's polling: {(seenAt - completedAt).TotalMilliseconds:0} ms, not counted)"));
        var busy = $"{size}-row upload busy while scoring: ";
        results.Add(busy + "read and parse", Ms("ReadMs"), "ms");
        results.Add(busy + "waiting for reservations", Ms("ReserveMs"), "ms");
        results.Add(busy + "reservations waited for", Ms("Reservations"), "reservations");
        results.Add(busy + "model calls, summed", Ms("ModelMs"), "ms");
        results.Add(busy + "model calls", Ms("ModelCalls"), "calls");
        results.Add(busy + "writing result lines and parts", Ms("WriteMs"), "ms");
        results.Add(busy + "progress writes", Ms("ProgressMs"), "ms");
        results.Add(busy + "progress writes made", Ms("ProgressWrites"), "writes");
    }

    /// <summary>ProcessUpload's <c>Upload {UploadId} timings</c> log line (RunTimings), from a line of the cloud's output.</summary>
    private static JsonElement? TimingsLine(string line)
    {
        var json = line.IndexOf('{', StringComparison.Ordinal);
        if (json < 0 || !line.Contains("\"TotalMs\"", StringComparison.Ordinal)) return null;
        try
        {
            using var document = JsonDocument.Parse(line[json..]);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static byte[] Csv(int rows)
    {
        var csv = new StringBuilder("id,text\n");
        for (var i = 0; i < rows; i++) csv.Append(i).Append(",\"").Append(Texts[i % Texts.Length]).Append(" #").Append(i).Append("\"\n");
        return Encoding.UTF8.GetBytes(csv.ToString());
    }

    private static async Task<double> ModelRowsPerSecondAsync(
        HttpClient http, string url, string endpoint, int rows, int perCall, int inFlight)
    {
        var batches = Enumerable.Range(0, (rows + perCall - 1) / perCall)
            .Select(b => JsonSerializer.Serialize(new
            {
                inputs = Enumerable.Range(b * perCall, Math.Min(perCall, rows - b * perCall))
                    .Select(i => $"{Texts[i % Texts.Length]} #{i}"),
            }))
            .ToList();
        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var b && b < batches.Count)
            {
                var request = new HttpRequestMessage(HttpMethod.Post, $"{url}/endpoints/{endpoint}/invocations")
                {
                    Content = new StringContent(batches[b], Encoding.UTF8, "application/json"),
                };
                using var response = await http.SendAsync(await request.SignedAsync("sagemaker"));
                response.EnsureSuccessStatusCode();
            }
        }));
        return rows / watch.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// The running ProcessUpload bootstrap process of this local cloud (its Runtime API is the cloud's Lambda service): its
    /// peak resident memory (VmHWM), when it started and the CPU it used; null when there is none.
    /// </summary>
    private static (long PeakRssKiB, DateTimeOffset StartedAt, double CpuSeconds)? FunctionProcess(string runtimeApiHost)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var environment = File.ReadAllText(Path.Combine(directory, "environ")).Split('\0');
                if (!environment.Contains("_HANDLER=ProcessUpload")
                    || !environment.Any(v => v.StartsWith("AWS_LAMBDA_RUNTIME_API=" + runtimeApiHost, StringComparison.Ordinal))) continue;
                var peak = File.ReadAllLines(Path.Combine(directory, "status"))
                    .First(line => line.StartsWith("VmHWM:", StringComparison.Ordinal));
                return (long.Parse(peak["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture), StartedAt(directory),
                    CpuSeconds(directory));
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                // Not ours, or gone.
            }
        }
        return null;
    }

    /// <summary>The CPU the model server of this local cloud (a child of this process, which runs the cloud) used so far.</summary>
    private static double ModelServerCpuSeconds()
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var arguments = File.ReadAllText(Path.Combine(directory, "cmdline")).Split('\0');
                if (arguments.Any(a => a.EndsWith("Serverless.ModelServer.dll", StringComparison.Ordinal))
                    && StatFields(directory)[1] == Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
                    return CpuSeconds(directory);
            }
            catch (IOException)
            {
                // Gone.
            }
        }
        return 0;
    }

    /// <summary>A process's user and system CPU time: /proc/{pid}/stat's utime and stime, in clock ticks (100 a second).</summary>
    private static double CpuSeconds(string processDirectory)
    {
        var fields = StatFields(processDirectory);
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    // The fields of /proc/{pid}/stat after the command name, which is in parentheses and may hold spaces: field 3 is [0].
    private static string[] StatFields(string processDirectory)
    {
        var stat = File.ReadAllText(Path.Combine(processDirectory, "stat"));
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }

    /// <summary>
    /// When a process started: /proc/{pid}/stat's start time, in clock ticks (100 a second) since boot, against
    /// /proc/uptime now (10 ms resolution, which /proc/stat's btime, in whole seconds, would not give).
    /// </summary>
    private static DateTimeOffset StartedAt(string processDirectory)
    {
        var now = DateTimeOffset.UtcNow;
        var uptime = double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], CultureInfo.InvariantCulture);
        var ticks = long.Parse(StatFields(processDirectory)[19], CultureInfo.InvariantCulture);
        return now.AddSeconds(ticks / 100.0 - uptime);
    }
}
