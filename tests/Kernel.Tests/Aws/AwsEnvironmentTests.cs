using Serverless.Kernel.Aws;

namespace Serverless.Kernel.Tests.Aws;

public sealed class AwsEnvironmentTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void The_service_variables_are_the_documented_names()
    {
        // AWS SDKs and Tools Reference Guide, "Identifiers for service-specific endpoints".
        Assert.Equal("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
            AwsEnvironment.EndpointVariable(CognitoIdentityProviderClient.Service.EnvironmentName));
        Assert.Equal("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", AwsEnvironment.EndpointVariable("SAGEMAKER_RUNTIME"));
        Assert.Equal("AWS_ENDPOINT_URL_DYNAMODB_STREAMS", AwsEnvironment.EndpointVariable("DYNAMODB_STREAMS"));
    }

    [Fact]
    public void The_service_specific_variable_wins_over_the_global_one()
    {
        var env = Env(("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", "http://127.0.0.1:4567"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"));

        Assert.Equal(new Uri("http://127.0.0.1:4567"),
            AwsEnvironment.Endpoint("COGNITO_IDENTITY_PROVIDER", "cognito-idp", "eu-west-1", env));
    }

    [Fact]
    public void The_global_variable_applies_to_every_service_without_its_own()
    {
        var env = Env(("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000"), ("AWS_ENDPOINT_URL", "http://localstack:4566/"));

        Assert.Equal(new Uri("http://localstack:4566/"),
            AwsEnvironment.Endpoint("COGNITO_IDENTITY_PROVIDER", "cognito-idp", "eu-west-1", env));
    }

    [Fact]
    public void Without_variables_the_endpoint_is_the_regional_default()
    {
        Assert.Equal(new Uri("https://cognito-idp.eu-west-1.amazonaws.com/"),
            AwsEnvironment.Endpoint("COGNITO_IDENTITY_PROVIDER", "cognito-idp", "eu-west-1", Env()));
        Assert.Equal(new Uri("https://cognito-idp.cn-north-1.amazonaws.com.cn/"),
            AwsEnvironment.Endpoint("COGNITO_IDENTITY_PROVIDER", "cognito-idp", "cn-north-1", Env()));
    }

    [Fact]
    public void Configured_endpoints_can_be_ignored()
    {
        var env = Env(("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", "http://127.0.0.1:4567"),
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"));

        Assert.Equal(new Uri("https://cognito-idp.us-east-1.amazonaws.com/"),
            AwsEnvironment.Endpoint("COGNITO_IDENTITY_PROVIDER", "cognito-idp", "us-east-1", env));
    }

    [Fact]
    public void A_malformed_endpoint_is_an_error_that_names_its_variable()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            AwsEnvironment.Endpoint("COGNITO_IDENTITY_PROVIDER", "cognito-idp", "us-east-1",
                Env(("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", "localhost:4566"))));

        Assert.Contains("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", error.Message);
    }

    [Fact]
    public void The_region_is_AWS_REGION_then_AWS_DEFAULT_REGION()
    {
        Assert.Equal("eu-west-1", AwsEnvironment.Region(Env(("AWS_REGION", "eu-west-1"), ("AWS_DEFAULT_REGION", "us-east-1"))));
        Assert.Equal("us-east-1", AwsEnvironment.Region(Env(("AWS_REGION", ""), ("AWS_DEFAULT_REGION", "us-east-1"))));
        Assert.Null(AwsEnvironment.Region(Env()));
        Assert.Throws<InvalidOperationException>(() => AwsEnvironment.RequireRegion(Env()));
    }
}
