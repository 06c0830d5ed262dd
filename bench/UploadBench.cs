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
/// CSVs of 10,000 and 100,000 rows: the file PUT to S3 → the notification → the function process → COMPLETED, as rows/s,
/// and the function process's peak resident memory (VmHWM) after each; and the model server's own rows/s for the same
/// texts, called as ProcessUpload calls it (64 texts a request, 4 in flight).
/// </summary>
internal static class UploadBench
{
    private static readonly string[] Texts =
    [
        "I love this product, it is wonderful!", "This is terrible and I hate it.", "The box is on the table.",
        "Excellent quality, I am very pleased.", "The service was awful and the food was disgusting.", "The meeting is at ten.",
    ];

    public static async Task RunAsync()
    {
        await using var cloud = await BenchCloud.StartAsync();
        using var db = LocalClients.DynamoDb(cloud.Outputs["DynamoDbEndpoint"]);
        using var s3 = LocalClients.S3(cloud.Outputs["S3Endpoint"]);
        using var http = new HttpClient();

        foreach (var rows in new[] { 10_000, 100_000 })
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
                    ["declaredSize"] = new() { N = file.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                },
            });
            var watch = Stopwatch.StartNew();
            await s3.PutObjectAsync(new PutObjectRequest
            {
                BucketName = cloud.Outputs["BucketName"], Key = key, InputStream = new MemoryStream(file), UseChunkEncoding = false,
            });
            Dictionary<string, AttributeValue> item;
            do
            {
                await Task.Delay(50);
                item = (await db.GetItemAsync(cloud.Outputs["TableName"], itemKey, consistentRead: true)).Item;
            }
            while (item["status"].S is "PENDING_UPLOAD" or "PROCESSING");
            watch.Stop();
            if (item["status"].S != "COMPLETED" || item["rowsProcessed"].N != rows.ToString(CultureInfo.InvariantCulture))
                throw new InvalidOperationException(
                    $"The {rows:N0}-row upload ended {item["status"].S} with {item["rowsProcessed"].N} rows processed: " +
                    "no throughput to report.");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ProcessUpload, {rows:N0}-row CSV ({file.Length / 1e6:0.0} MB), PUT -> {item["status"].S}: " +
                $"{watch.Elapsed.TotalSeconds:0.00} s, {rows / watch.Elapsed.TotalSeconds:N0} rows/s; " +
                $"function process peak RSS (VmHWM) {PeakRss(new Uri(cloud.Outputs["LambdaEndpoint"]).Authority)}"));

            var model = await ModelRowsPerSecondAsync(http, cloud.Outputs["SageMakerEndpointUrl"], rows);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  model server alone, same {rows:N0} texts (64 a request, 4 in flight): {model:N0} rows/s"));
        }
    }

    private static byte[] Csv(int rows)
    {
        var csv = new StringBuilder("id,text\n");
        for (var i = 0; i < rows; i++) csv.Append(i).Append(",\"").Append(Texts[i % Texts.Length]).Append(" #").Append(i).Append("\"\n");
        return Encoding.UTF8.GetBytes(csv.ToString());
    }

    private static async Task<double> ModelRowsPerSecondAsync(HttpClient http, string endpoint, int rows)
    {
        var batches = Enumerable.Range(0, (rows + 63) / 64)
            .Select(b => JsonSerializer.Serialize(
                new { inputs = Enumerable.Range(b * 64, Math.Min(64, rows - b * 64)).Select(i => $"{Texts[i % Texts.Length]} #{i}") }))
            .ToList();
        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var b && b < batches.Count)
            {
                var request = new HttpRequestMessage(HttpMethod.Post, $"{endpoint}/endpoints/sentiment/invocations")
                {
                    Content = new StringContent(batches[b], Encoding.UTF8, "application/json"),
                };
                using var response = await http.SendAsync(await request.SignedAsync("sagemaker"));
                response.EnsureSuccessStatusCode();
            }
        }));
        return rows / watch.Elapsed.TotalSeconds;
    }

    /// <summary>VmHWM of the running ProcessUpload bootstrap processes of this local cloud (their Runtime API is its
    /// Lambda service).</summary>
    private static string PeakRss(string runtimeApiHost)
    {
        var found = new List<string>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var environment = File.ReadAllText(Path.Combine(directory, "environ")).Split('\0');
                if (!environment.Contains("_HANDLER=ProcessUpload")
                    || !environment.Any(v => v.StartsWith("AWS_LAMBDA_RUNTIME_API=" + runtimeApiHost, StringComparison.Ordinal))) continue;
                var status = File.ReadAllLines(Path.Combine(directory, "status"));
                found.Add(status.First(line => line.StartsWith("VmHWM:"))["VmHWM:".Length..].Trim());
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                // Not ours, or gone.
            }
        }
        return found.Count == 0 ? "(no process found)" : string.Join(", ", found);
    }
}
