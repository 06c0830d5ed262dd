using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.S3;
using Serverless.Kernel.Aws;
using Serverless.Kernel.Runtime;
using Serverless.Kernel.Tests.Runtime;

namespace Serverless.Kernel.Tests.Aws;

/// <summary>
/// Every outgoing AWS call of a function carries the invocation's <c>X-Amzn-Trace-Id</c>, unsigned: the kernel's SigV4
/// clients (<see cref="TraceHeader"/>) and the AWSSDK clients the functions use, as the server sees the requests.
/// </summary>
[Collection(LambdaEnvironmentCollection.Name)]
public sealed class TraceHeaderTests : StubAwsServerTestBase, IDisposable
{
    private const string Trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

    private readonly EnvironmentScope environment = new(["AWS_LAMBDA_FUNCTION_NAME", LambdaBootstrap.TraceIdVariable]);

    public void Dispose() => environment.Dispose();

    private static void InLambda(string? trace = Trace)
    {
        Environment.SetEnvironmentVariable("AWS_LAMBDA_FUNCTION_NAME", "serverless-ProcessUpload");
        Environment.SetEnvironmentVariable(LambdaBootstrap.TraceIdVariable, trace);
    }

    private StubAwsServer.Captured Sent => Assert.Single(server.Requests);

    private static string SignedHeaders(StubAwsServer.Captured request) =>
        request.Headers["Authorization"].Split("SignedHeaders=")[1].Split(',')[0];

    [Fact]
    public async Task A_call_inside_an_invocation_carries_that_invocations_trace_unsigned()
    {
        Environment.SetEnvironmentVariable("AWS_LAMBDA_FUNCTION_NAME", "serverless-ProcessUpload");
        server.Respond = context => { context.Response.StatusCode = 202; return Task.CompletedTask; };
        var lambda = new LambdaClient(http, new FixedClock(Now), Credentials(null), "eu-west-1", server.Endpoint);
        await using var api = await FakeRuntimeApi.StartAsync();
        api.Enqueue("r-1", "{}", new Dictionary<string, string> { ["Lambda-Runtime-Trace-Id"] = Trace });
        _ = api.RunAsync(async (_, context) =>
        {
            // From a task of the handler's own, as a handler's parallel work calls.
            await Task.Run(() => lambda.InvokeEventAsync("next", "{}"u8.ToArray(), context.CancellationToken));
            return "{}"u8.ToArray();
        });

        Assert.Equal("/invocation/r-1/response", (await api.NextPostAsync()).Path);

        Assert.Equal(Trace, Sent.Headers[TraceHeader.Name]);
        Assert.DoesNotContain("x-amzn-trace-id", SignedHeaders(Sent));
    }

    [Fact]
    public async Task A_json_protocol_call_carries_the_trace_of_the_environment()
    {
        InLambda();
        var cognito = new CognitoIdentityProviderClient(new AwsJsonClient(http, CognitoIdentityProviderClient.Service,
            new FixedClock(Now), Credentials(null), "eu-west-1", server.Endpoint));

        await cognito.AdminDisableUserAsync("eu-west-1_Pool", "alice", CancellationToken.None);

        Assert.Equal(Trace, Sent.Headers[TraceHeader.Name]);
        Assert.DoesNotContain("x-amzn-trace-id", SignedHeaders(Sent));
    }

    [Fact]
    public async Task A_model_call_carries_the_trace()
    {
        InLambda();
        server.Respond = context => StubAwsServer.Json(context, 200, """[{"label":"POSITIVE","score":0.9}]""");
        var client = new SageMakerRuntimeClient(http, new FixedClock(Now), Credentials(null), "eu-west-1", server.Endpoint);

        await client.ClassifyAsync("sentiment", ["good"], CancellationToken.None);

        Assert.Equal(Trace, Sent.Headers[TraceHeader.Name]);
        Assert.DoesNotContain("x-amzn-trace-id", SignedHeaders(Sent));
    }

    [Fact]
    public async Task Outside_lambda_or_without_a_trace_no_header_is_sent()
    {
        server.Respond = context => { context.Response.StatusCode = 202; return Task.CompletedTask; };
        var lambda = new LambdaClient(http, new FixedClock(Now), Credentials(null), "eu-west-1", server.Endpoint);
        Environment.SetEnvironmentVariable(LambdaBootstrap.TraceIdVariable, Trace);
        await lambda.InvokeEventAsync("f", "{}"u8.ToArray(), CancellationToken.None);
        InLambda(trace: null);
        await lambda.InvokeEventAsync("f", "{}"u8.ToArray(), CancellationToken.None);

        Assert.All(server.Requests, request => Assert.False(request.Headers.ContainsKey(TraceHeader.Name)));
    }

    [Fact]
    public void A_header_the_request_has_already_is_kept()
    {
        InLambda();
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://lambda.eu-west-1.amazonaws.com/");
        request.Headers.Add(TraceHeader.Name, "Root=1-00000000-000000000000000000000000");

        TraceHeader.AddTo(request);

        Assert.Equal(["Root=1-00000000-000000000000000000000000"], request.Headers.GetValues(TraceHeader.Name));
    }

    [Theory]
    [InlineData(Trace, Trace)]
    [InlineData("Root=1-5759e988;Lineage=a87bd80c:0,68fd508a:5", "Root=1-5759e988;Lineage=a87bd80c:0,68fd508a:5")]
    [InlineData("Root=a b\tc", "Root=a%20b%09c")]
    [InlineData("Root=é/_.~", "Root=%C3%A9%2F%5F%2E%7E")]
    public void The_value_is_percent_encoded_as_the_SDKs_encode_it(string traceId, string header) =>
        Assert.Equal(header, TraceHeader.Encode(traceId));

    [Fact]
    public async Task The_AWSSDK_clients_the_functions_use_add_it_themselves_from_the_environment()
    {
        InLambda();
        server.Respond = context => StubAwsServer.Json(context, 200, """{"TableNames":[]}""");
        var credentials = new BasicAWSCredentials(AccessKey, SecretKey);
        using var db = new AmazonDynamoDBClient(credentials, new AmazonDynamoDBConfig
        {
            ServiceURL = server.Endpoint.ToString(), AuthenticationRegion = "eu-west-1",
        });
        using var s3 = new AmazonS3Client(credentials, new AmazonS3Config
        {
            ServiceURL = server.Endpoint.ToString(), AuthenticationRegion = "eu-west-1", ForcePathStyle = true,
        });

        await db.ListTablesAsync();
        server.Respond = context => { context.Response.StatusCode = 200; return Task.CompletedTask; };
        await s3.DeleteObjectAsync("bucket", "key");

        Assert.Equal(2, server.Requests.Count);
        Assert.All(server.Requests, request =>
        {
            Assert.Equal(Trace, request.Headers[TraceHeader.Name]);
            Assert.DoesNotContain("x-amzn-trace-id", SignedHeaders(request));
        });
    }
}
