using Serverless.Kernel.Runtime;

namespace Serverless.Kernel.Tests.Runtime;

[Collection(LambdaEnvironmentCollection.Name)]
public class LambdaContextTests
{
    private static readonly string[] Variables =
    [
        "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    ];

    [Fact]
    public void The_function_settings_come_from_lambdas_environment_variables()
    {
        string[] values = ["serverless-profile-api", "7", "512", "/aws/lambda/serverless-profile-api", "2024/05/14/[7]0123456789abcdef"];
        try
        {
            for (var i = 0; i < Variables.Length; i++) Environment.SetEnvironmentVariable(Variables[i], values[i]);

            Assert.Equal("serverless-profile-api", LambdaContext.FunctionName);
            Assert.Equal("7", LambdaContext.FunctionVersion);
            Assert.Equal(512, LambdaContext.MemoryLimitInMB);
            Assert.Equal("/aws/lambda/serverless-profile-api", LambdaContext.LogGroupName);
            Assert.Equal("2024/05/14/[7]0123456789abcdef", LambdaContext.LogStreamName);
        }
        finally
        {
            foreach (var variable in Variables) Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void Outside_lambda_the_settings_have_defaults()
    {
        foreach (var variable in Variables) Environment.SetEnvironmentVariable(variable, null);

        Assert.Equal("", LambdaContext.FunctionName);
        Assert.Equal("$LATEST", LambdaContext.FunctionVersion);
        Assert.Equal(0, LambdaContext.MemoryLimitInMB);
        Assert.Equal("", LambdaContext.LogGroupName);
        Assert.Equal("", LambdaContext.LogStreamName);
    }
}
