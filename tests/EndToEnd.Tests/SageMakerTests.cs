using System.Text.Json;

namespace Serverless.EndToEnd.Tests;

/// <summary>The local SageMaker endpoint (Output SageMakerEndpointUrl), invoked with the real AWS CLI's SigV4-signed request.</summary>
[Collection(LocalCloudCollection.Name)]
public sealed class SageMakerTests(LocalCloudFixture cloud)
{
    [Fact]
    public async Task The_AWS_CLI_classifies_texts_through_the_SageMakerEndpointUrl_output()
    {
        var folder = Directory.CreateTempSubdirectory("sagemaker-e2e-");
        try
        {
            var body = Path.Combine(folder.FullName, "body.json");
            var answer = Path.Combine(folder.FullName, "answer.json");
            await File.WriteAllTextAsync(body,
                """{"inputs": ["I love this product, it is wonderful!", "This is terrible and I hate it."]}""");

            var (exitCode, output, error) = await AwsCli.RunAsync(
            [
                "sagemaker-runtime", "invoke-endpoint", "--endpoint-url", cloud.Output("SageMakerEndpointUrl"),
                "--endpoint-name", cloud.Output("ModelEndpointName"), "--content-type", "application/json", "--body", $"fileb://{body}",
                answer,
            ]);

            Assert.True(exitCode == 0, $"aws sagemaker-runtime invoke-endpoint failed: {error}");
            Assert.Contains("\"ContentType\": \"application/json\"", output, StringComparison.Ordinal);
            using var results = JsonDocument.Parse(await File.ReadAllTextAsync(answer));
            var labels = results.RootElement.EnumerateArray().Select(result => result.GetProperty("label").GetString() ?? "").ToArray();
            Assert.Equal(new[] { "POSITIVE", "NEGATIVE" }, labels);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
