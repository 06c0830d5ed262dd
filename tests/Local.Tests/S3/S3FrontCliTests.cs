using System.Security.Cryptography;
using Serverless.Local.Processes;
using Xunit.Abstractions;

namespace Serverless.Local.Tests.S3;

/// <summary>The AWS CLI (Debian's /usr/bin/aws, which .ci/run installs) through the S3 front, with only --endpoint-url
/// and any credentials.</summary>
public sealed class S3FrontCliTests(S3Fixture s3, ITestOutputHelper log) : IClassFixture<S3Fixture>
{
    [Fact]
    public async Task Cp_of_a_large_file_is_a_multipart_upload_that_round_trips()
    {
        var folder = Directory.CreateTempSubdirectory("serverless-s3-cli-").FullName;
        try
        {
            var source = Path.Combine(folder, "big.bin");
            var copy = Path.Combine(folder, "copy.bin");
            var body = RandomNumberGenerator.GetBytes(9 * 1024 * 1024); // over the CLI's 8 MB multipart threshold
            await File.WriteAllBytesAsync(source, body);
            var key = $"cli/{Guid.NewGuid():N}/big file.bin";

            await AwsAsync("s3", "cp", source, $"s3://{S3Fixture.Bucket}/{key}", "--no-progress");
            await AwsAsync("s3", "cp", $"s3://{S3Fixture.Bucket}/{key}", copy, "--no-progress");

            Assert.Equal(body, await File.ReadAllBytesAsync(copy));
            var reported = await s3.EventAsync(key, "ObjectCreated:CompleteMultipartUpload");
            Assert.Equal(body.Length, reported.Size);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task S3api_put_object_stores_the_file_as_it_is()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "row,text\n1,héllo\n");
            var key = $"cli/{Guid.NewGuid():N}/rows.csv";

            var put = await AwsAsync("s3api", "put-object", "--bucket", S3Fixture.Bucket, "--key", key, "--body", file,
                "--content-type", "text/csv");
            var got = await AwsAsync("s3", "cp", $"s3://{S3Fixture.Bucket}/{key}", "-");

            Assert.Contains(Convert.ToHexStringLower(MD5.HashData(File.ReadAllBytes(file))), put);
            Assert.Equal("row,text\n1,héllo\n", got);
            Assert.Equal("ObjectCreated:Put", (await s3.EventAsync(key, "ObjectCreated:Put")).EventName);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private async Task<string> AwsAsync(params string[] arguments)
    {
        var (exitCode, recent) = await ChildProcess.RunAsync("aws", "/usr/bin/aws", [.. arguments, "--endpoint-url", s3.Front.Endpoint],
            environment: new Dictionary<string, string?>
            {
                ["AWS_ACCESS_KEY_ID"] = "local",
                ["AWS_SECRET_ACCESS_KEY"] = "local",
                ["AWS_DEFAULT_REGION"] = "us-east-1",
                ["AWS_PAGER"] = "",
                ["AWS_CONFIG_FILE"] = "/dev/null",
                ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null",
            });
        log.WriteLine($"aws {string.Join(' ', arguments)} -> {exitCode}{Environment.NewLine}{string.Join(Environment.NewLine, recent)}");
        Assert.Equal(0, exitCode);
        return string.Join("\n", recent) + (recent.Count > 0 ? "\n" : "");
    }
}
