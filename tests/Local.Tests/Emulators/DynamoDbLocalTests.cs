using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Serverless.Local.Emulators;
using Serverless.Local.Installers;
using Xunit.Abstractions;

namespace Serverless.Local.Tests.Emulators;

public sealed class DynamoDbLocalTests(ITestOutputHelper log)
{
    private EmulatorInstaller Installer => new(EmulatorTestPaths.Cache, line => log.WriteLine(line));

    [Fact]
    public async Task Creates_a_table_and_puts_and_gets_an_item()
    {
        await using var dynamo = await DynamoDbLocal.StartAsync(Installer, output: line => log.WriteLine(line));
        log.WriteLine($"DynamoDB Local at {dynamo.Endpoint}: ready in {dynamo.StartupTime.TotalSeconds:0.00} s, " +
            $"RSS {dynamo.Process.ResidentMemoryBytes / (1024 * 1024)} MB");
        Assert.StartsWith("http://127.0.0.1:", dynamo.Endpoint);

        using var client = Client(dynamo, DynamoDbLocal.AccessKeyId, "us-east-1");
        await client.CreateTableAsync(new CreateTableRequest
        {
            TableName = "Profiles",
            AttributeDefinitions = [new AttributeDefinition("pk", ScalarAttributeType.S)],
            KeySchema = [new KeySchemaElement("pk", KeyType.HASH)],
            BillingMode = BillingMode.PAY_PER_REQUEST,
        });
        await client.PutItemAsync("Profiles", new Dictionary<string, AttributeValue>
        {
            ["pk"] = new() { S = "user#1" },
            ["name"] = new() { S = "Alice" },
            ["visits"] = new() { N = "3" },
        });
        var got = await client.GetItemAsync("Profiles", new Dictionary<string, AttributeValue> { ["pk"] = new() { S = "user#1" } });

        Assert.Equal("Alice", got.Item["name"].S);
        Assert.Equal("3", got.Item["visits"].N);
        log.WriteLine($"RSS after a few calls: {dynamo.Process.ResidentMemoryBytes / (1024 * 1024)} MB");
    }

    /// <summary>
    /// What a web page can send DynamoDB Local: a preflight, which gets no CORS headers (CORS is off), so the browser never
    /// sends the signed JSON call; and a simple <c>text/plain</c> POST, which has no <c>X-Amz-Target</c> and no
    /// <c>Authorization</c>, so nothing runs.
    /// </summary>
    [Fact]
    public async Task A_web_page_can_neither_preflight_nor_simply_post_a_call()
    {
        await using var dynamo = await DynamoDbLocal.StartAsync(Installer);
        using var http = new HttpClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, dynamo.Endpoint);
        preflight.Headers.Add("Origin", "https://evil.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type,x-amz-date,x-amz-target");
        using var simple = new HttpRequestMessage(HttpMethod.Post, dynamo.Endpoint)
        {
            Content = new StringContent("""
                {"TableName":"Planted","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],
                 "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}
                """, new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain")),
        };
        simple.Headers.Add("Origin", "https://evil.example");

        using var preflightAnswer = await http.SendAsync(preflight);
        using var simpleAnswer = await http.SendAsync(simple);

        Assert.False(preflightAnswer.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(simpleAnswer.IsSuccessStatusCode);
        Assert.False(simpleAnswer.Headers.Contains("Access-Control-Allow-Origin"));
        using var client = Client(dynamo, DynamoDbLocal.AccessKeyId, "us-east-1");
        Assert.DoesNotContain("Planted", (await client.ListTablesAsync(new ListTablesRequest())).TableNames ?? []);
    }

    [Fact]
    public async Task Every_access_key_and_region_sees_the_same_tables()
    {
        await using var dynamo = await DynamoDbLocal.StartAsync(Installer);
        using (var writer = Client(dynamo, "local", "us-east-1"))
        {
            await writer.CreateTableAsync(new CreateTableRequest
            {
                TableName = "Shared",
                AttributeDefinitions = [new AttributeDefinition("pk", ScalarAttributeType.S)],
                KeySchema = [new KeySchemaElement("pk", KeyType.HASH)],
                BillingMode = BillingMode.PAY_PER_REQUEST,
            });
        }
        using var other = Client(dynamo, "AKIAOTHERDEVELOPER", "eu-west-3");
        var tables = await other.ListTablesAsync(new ListTablesRequest());
        Assert.Contains("Shared", tables.TableNames);
    }

    [Fact]
    public async Task Listens_on_127_0_0_1_only()
    {
        await using var dynamo = await DynamoDbLocal.StartAsync(Installer);
        var listeners = ListeningAddresses(dynamo.Port);
        log.WriteLine($"listening sockets on port {dynamo.Port}: {string.Join(", ", listeners)}");
        Assert.NotEmpty(listeners);
        Assert.All(listeners, address => Assert.Equal("127.0.0.1", address));
    }

    [Fact]
    public async Task A_busy_port_fails_with_the_emulators_own_words()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => DynamoDbLocal.StartAsync(Installer, port));
        log.WriteLine(error.Message);
        Assert.Contains("exited with code 1", error.Message);
        Assert.Contains($"127.0.0.1:{port}", error.Message);
    }

    private static AmazonDynamoDBClient Client(DynamoDbLocal dynamo, string accessKey, string region) =>
        new(new BasicAWSCredentials(accessKey, "secret"), new AmazonDynamoDBConfig
        {
            ServiceURL = dynamo.Endpoint,
            AuthenticationRegion = region,
        });

    /// <summary>Local addresses of the listening TCP sockets on a port, from /proc/net/tcp and tcp6 (what `ss -ltn` shows).</summary>
    private static List<string> ListeningAddresses(int port)
    {
        var found = new List<string>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var local = fields[1].Split(':');
                if (fields[3] != "0A" || int.Parse(local[1], NumberStyles.HexNumber) != port)
                {
                    continue;
                }
                found.Add(DecodeAddress(local[0]));
            }
        }
        return found;
    }

    private static string DecodeAddress(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        // /proc prints each 32-bit word in host (little-endian) order.
        for (var i = 0; i < bytes.Length; i += 4)
        {
            Array.Reverse(bytes, i, 4);
        }
        var address = new IPAddress(bytes);
        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }
}
