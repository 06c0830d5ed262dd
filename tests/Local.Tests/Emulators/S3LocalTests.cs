using System.Collections.Concurrent;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Serverless.Local.Emulators;
using Serverless.Local.Installers;
using Xunit.Abstractions;

namespace Serverless.Local.Tests.Emulators;

/// <summary>The S3 emulator itself: start, events, stop. What clients see goes through the S3 front (S3FrontTests).</summary>
public sealed class S3LocalTests(ITestOutputHelper log)
{
    private EmulatorInstaller Installer => new(EmulatorTestPaths.Cache, line => log.WriteLine(line));

    [Fact]
    public async Task Starts_on_a_free_port_and_reports_a_put()
    {
        var data = EmulatorTestPaths.NewScratchDirectory("s3");
        await using var s3 = await S3Local.StartAsync(Installer, data, output: line => log.WriteLine(line));
        log.WriteLine($"s3rver at {s3.Endpoint}: ready in {s3.StartupTime.TotalSeconds:0.00} s, "
            + $"RSS {s3.Process.ResidentMemoryBytes / (1024 * 1024)} MB");
        var events = new BlockingCollection<S3ObjectEvent>();
        s3.ObjectChanged += events.Add;

        using var client = new AmazonS3Client(new BasicAWSCredentials("anykey", "anysecret"),
            new AmazonS3Config { ServiceURL = s3.Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        await client.PutBucketAsync("emulator-bucket");
        await client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = "emulator-bucket",
            Key = "a.txt",
            ContentBody = "hello",
            UseChunkEncoding = false,
        });

        Assert.True(events.TryTake(out var put, TimeSpan.FromMinutes(1)));
        Assert.Equal(new S3ObjectEvent("emulator-bucket", "a.txt", "ObjectCreated:Put", 5, "5d41402abc4b2a76b9719d911017c592",
            put.EventTime, "127.0.0.1"), put);
        Assert.True(Directory.Exists(Path.Combine(data, "emulator-bucket")));
        await s3.DisposeAsync();
        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task Dispose_stops_the_node_process()
    {
        var data = EmulatorTestPaths.NewScratchDirectory("s3");
        var s3 = await S3Local.StartAsync(Installer, data);
        var pid = s3.Process.Id;
        Assert.True(Directory.Exists($"/proc/{pid}"));

        await s3.DisposeAsync();

        Assert.True(s3.Process.HasExited);
        Assert.False(Directory.Exists($"/proc/{pid}"), $"node ({pid}) outlived S3Local");
        Directory.Delete(data, recursive: true);
    }
}
