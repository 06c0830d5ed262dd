using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Serverless.Local.Commands;

namespace Serverless.Local.Tests.Commands;

/// <summary>
/// <c>invoke --packaged</c> end to end on a small repository of its own: <c>make build-{LogicalId}</c> with <c>ARTIFACTS_DIR</c> (the
/// <c>sam build</c> path) puts a shell-script <c>bootstrap</c> in <c>.local/build/</c>, which runs once under the local Lambda service.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class InvokeCommandTests : IDisposable
{
    private const string Template = """
        Transform: AWS::Serverless-2016-10-31
        Parameters:
          Greeting:
            Type: String
            Default: hello
            AllowedValues: [hello, hi, good day]
        Globals:
          Function:
            Runtime: provided.al2023
            MemorySize: 256
            Timeout: 5
            Environment:
              Variables:
                TABLE_NAME: !Ref Table
        Resources:
          Table:
            Type: AWS::DynamoDB::Table
          EchoFunction:
            Type: AWS::Serverless::Function
            Metadata:
              BuildMethod: makefile
              ContextPath: functions/Echo
            Properties:
              CodeUri: functions/Echo
              Handler: Echo
              Environment:
                Variables:
                  GREETING: !Ref Greeting
                  STAGE: !Sub ${AWS::StackName}-stage
        Outputs:
          TableName:
            Value: !Ref Table
        """;

    private const string Makefile = "build-EchoFunction:\n\tmkdir -p $(ARTIFACTS_DIR)\n"
        + "\tcp bootstrap.sh $(ARTIFACTS_DIR)/bootstrap\n\tchmod +x $(ARTIFACTS_DIR)/bootstrap\n";

    /// <summary>Answers with what it sees; an event with <c>"fail"</c> fails.</summary>
    private const string Bootstrap = """
        #!/bin/bash
        echo "running $0"
        cd "$(mktemp -d)"
        echo "init of $_HANDLER"
        while true; do
          curl -s -D headers -o event "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next"
          id=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' headers | cut -d' ' -f2 | tr -d '\r')
          echo "handling $id"
          if grep -q fail event; then
            curl -s -X POST -d '{"errorMessage":"asked to fail","errorType":"Failure"}' \
              "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$id/error"
            continue
          fi
          printf '{"event":%s,"table":"%s","greeting":"%s","stage":"%s","dynamodb":"%s","handler":"%s"}' \
            "$(cat event)" "$TABLE_NAME" "$GREETING" "$STAGE" "$AWS_ENDPOINT_URL_DYNAMODB" "$_HANDLER" > answer
          curl -s -X POST --data-binary @answer "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$id/response"
        done
        """;

    private readonly string root = Path.Combine(Path.GetTempPath(), "invoke-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly LocalCloudOptions options;

    public InvokeCommandTests()
    {
        WriteEchoRepository(root);
        File.WriteAllText(Path.Combine(root, "event.json"), """{"hello":"world"}""");
        options = new LocalCloudOptions(root);
    }

    /// <summary>The repository these tests invoke in: the template and the Echo group (its Makefile and its bootstrap).</summary>
    internal static void WriteEchoRepository(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "functions", "Echo"));
        File.WriteAllText(Path.Combine(root, "template.yaml"), Template);
        File.WriteAllText(Path.Combine(root, "functions", "Echo", "Makefile"), Makefile);
        File.WriteAllText(Path.Combine(root, "functions", "Echo", "bootstrap.sh"), Bootstrap);
    }

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public async Task The_response_goes_to_stdout_and_the_logs_END_and_REPORT_to_stderr()
    {
        var (exitCode, stdout, stderr) = await InvokeAsync("EchoFunction", "--event", Path.Combine(root, "event.json"));

        Assert.True(exitCode == 0, stderr);
        var answer = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("world", answer.GetProperty("event").GetProperty("hello").GetString());
        Assert.Equal("Echo", answer.GetProperty("handler").GetString());
        Assert.Equal("hello", answer.GetProperty("greeting").GetString());
        Assert.Equal("serverless-local-stage", answer.GetProperty("stage").GetString());
        Assert.Equal("Table", answer.GetProperty("table").GetString()); // no local cloud: a resource is its logical id, as in SAM
        Assert.Equal("", answer.GetProperty("dynamodb").GetString());
        Assert.True(File.Exists(Path.Combine(root, ".local", "build", "functions_Echo", "bootstrap")),
            "make build-EchoFunction with ARTIFACTS_DIR");
        var lines = stderr.Split(Environment.NewLine);
        Assert.Contains("init of Echo", lines);
        var handling = Assert.Single(lines, line => line.StartsWith("handling ", StringComparison.Ordinal));
        var requestId = handling["handling ".Length..];
        var end = Array.IndexOf(lines, $"END RequestId: {requestId}");
        Assert.True(end > Array.IndexOf(lines, handling), stderr);
        Assert.Matches($@"^REPORT RequestId: {requestId}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\t"
            + @"Max Memory Used: [1-9]\d* MB\tInit Duration: \d+\.\d\d ms\t$", lines[end + 1]);
    }

    [Fact]
    public async Task Env_vars_override_declared_variables_the_functions_own_entry_over_Parameters()
    {
        var envVars = Path.Combine(root, "env.json");
        await File.WriteAllTextAsync(envVars, """
            {"Parameters": {"GREETING": "from parameters", "TABLE_NAME": "shared-table", "UNDECLARED": "x"},
             "EchoFunction": {"GREETING": "from the function"}}
            """);

        var (exitCode, stdout, stderr) = await InvokeAsync("EchoFunction", "-e", Path.Combine(root, "event.json"), "-n", envVars);

        Assert.True(exitCode == 0, stderr);
        var answer = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("from the function", answer.GetProperty("greeting").GetString());
        Assert.Equal("shared-table", answer.GetProperty("table").GetString());
        Assert.Contains("UNDECLARED is not declared in EchoFunction's Environment.Variables", stderr);
    }

    [Theory]
    [InlineData("Greeting=hi", "hi")]
    [InlineData("ParameterKey=Greeting,ParameterValue='good day'", "good day")]
    public async Task Parameter_overrides_in_either_of_SAMs_forms_resolve_the_functions_Refs_to_parameters(string overrides,
        string greeting)
    {
        var (exitCode, stdout, stderr) = await InvokeAsync("EchoFunction", "--parameter-overrides", overrides);

        Assert.True(exitCode == 0, stderr);
        Assert.Equal(greeting, JsonDocument.Parse(stdout).RootElement.GetProperty("greeting").GetString());
    }

    [Theory]
    [InlineData("Greeting=hi Nope=1 Other=2", "Parameters: [Nope, Other] do not exist in the template")]
    [InlineData("Greeting=howdy", "Parameter 'Greeting' must be one of AllowedValues")]
    public async Task A_parameter_the_template_does_not_declare_or_allow_is_refused_with_the_local_clouds_message_and_exit_2(
        string overrides, string message)
    {
        var (exitCode, stdout, stderr) = await InvokeAsync("EchoFunction", "--parameter-overrides", overrides);

        Assert.Equal(2, exitCode);
        Assert.Equal(message, stderr.Trim());
        Assert.Equal("", stdout);
    }

    [Fact]
    public async Task A_function_error_prints_the_error_document_and_exits_1()
    {
        var failing = Path.Combine(root, "fail.json");
        await File.WriteAllTextAsync(failing, """{"fail":true}""");

        var (exitCode, stdout, stderr) = await InvokeAsync("EchoFunction", "--event", failing);

        Assert.Equal(1, exitCode);
        Assert.Equal("asked to fail", JsonDocument.Parse(stdout).RootElement.GetProperty("errorMessage").GetString());
        Assert.Contains("REPORT RequestId: ", stderr);
    }

    [Fact]
    public async Task With_a_running_local_cloud_the_function_gets_its_endpoints_and_physical_names()
    {
        using var dynamoDb = new TcpListener(IPAddress.Loopback, 0);
        dynamoDb.Start();
        var endpoint = $"http://127.0.0.1:{((IPEndPoint)dynamoDb.LocalEndpoint).Port}";
        Directory.CreateDirectory(options.StateDirectory);
        await File.WriteAllTextAsync(Path.Combine(options.StateDirectory, "outputs.json"), $$"""
            [{"OutputKey": "TableName", "OutputValue": "serverless-local-Table"},
             {"OutputKey": "DynamoDbEndpoint", "OutputValue": "{{endpoint}}"}]
            """);

        var (exitCode, stdout, stderr) = await InvokeAsync("EchoFunction");

        Assert.True(exitCode == 0, stderr);
        var answer = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(endpoint, answer.GetProperty("dynamodb").GetString());
        Assert.Equal("serverless-local-Table", answer.GetProperty("table").GetString());
        Assert.Equal(JsonValueKind.Object, answer.GetProperty("event").ValueKind); // no --event: {}
    }

    [Fact]
    public async Task An_outputs_file_whose_endpoints_do_not_answer_is_not_a_running_cloud()
    {
        Directory.CreateDirectory(options.StateDirectory);
        await File.WriteAllTextAsync(Path.Combine(options.StateDirectory, "outputs.json"), """
            [{"OutputKey": "TableName", "OutputValue": "serverless-local-Table"},
             {"OutputKey": "DynamoDbEndpoint", "OutputValue": "http://127.0.0.1:9"}]
            """);

        var (exitCode, stdout, stderr) = await InvokeAsync("EchoFunction");

        Assert.True(exitCode == 0, stderr);
        Assert.Equal("Table", JsonDocument.Parse(stdout).RootElement.GetProperty("table").GetString());
        Assert.Contains("No local cloud answers", stderr);
    }

    [Fact]
    public async Task An_unknown_function_names_the_template_functions_and_exits_2()
    {
        var (exitCode, _, stderr) = await InvokeAsync("NoSuchFunction");

        Assert.Equal(2, exitCode);
        Assert.Contains("NoSuchFunction is not a function of template.yaml. Functions: EchoFunction.", stderr);
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> InvokeAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await InvokeCommand.RunAsync(options, [.. args, "--packaged"], TextWriter.Synchronized(stdout),
            TextWriter.Synchronized(stderr), CancellationToken.None);
        return (exitCode, stdout.ToString().Trim(), stderr.ToString());
    }
}
