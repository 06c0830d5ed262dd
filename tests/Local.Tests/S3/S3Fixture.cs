using System.Collections.Concurrent;
using Amazon.Runtime;
using Amazon.S3;
using Serverless.Local.Emulators;
using Serverless.Local.Installers;
using Serverless.Local.Lambda;
using Serverless.Local.S3;
using Serverless.Local.Tests.Emulators;

namespace Serverless.Local.Tests.S3;

/// <summary>
/// The S3 emulator with the S3 front before it, on free ports with their own data folder, and two buckets:
/// <see cref="Bucket"/> without CORS and <see cref="CorsBucket"/> with the rules of <see cref="CorsRules"/>.
/// Every object event is collected in <see cref="Events"/>.
/// </summary>
public sealed class S3Fixture : IAsyncLifetime
{
    public const string Bucket = "plain-bucket";
    public const string CorsBucket = "cors-bucket";

    public static readonly IReadOnlyList<S3CorsRule> CorsRules =
    [
        new(["http://localhost:5173", "https://*.example.com"], ["PUT", "GET", "HEAD"], ["content-type", "x-amz-*"],
            ["ETag", "x-amz-request-id"], 600),
        new(["*"], ["GET"], [], [], null),
    ];

    private readonly string data = EmulatorTestPaths.NewScratchDirectory("s3");

    /// <summary>The emulator's data folder: nothing it stores may land outside it.</summary>
    public string DataDirectory => data;

    public S3Local Emulator { get; private set; } = null!;
    public S3Front Front { get; private set; } = null!;
    public ConcurrentQueue<string> Output { get; } = new();
    public ConcurrentQueue<S3ObjectEvent> Events { get; } = new();

    public async Task InitializeAsync()
    {
        Emulator = await S3Local.StartAsync(new EmulatorInstaller(EmulatorTestPaths.Cache, Output.Enqueue), data, output: Output.Enqueue);
        Emulator.ObjectChanged += Events.Enqueue;
        Front = await S3Front.StartAsync(0, Emulator.Endpoint, bucket => bucket == CorsBucket ? CorsRules : null);
        using var client = Client();
        await client.PutBucketAsync(Bucket);
        await client.PutBucketAsync(CorsBucket);
    }

    /// <summary>A client with AWSSDK.S3's default settings, pointed at the front as AWS_ENDPOINT_URL_S3 would.</summary>
    public AmazonS3Client Client() => new(new BasicAWSCredentials(LocalAccount.AccessKeyId, LocalAccount.SecretAccessKey),
        new AmazonS3Config { ServiceURL = Front.Endpoint, AuthenticationRegion = "us-east-1" });

    /// <summary>The first event for the key whose name is <paramref name="eventName"/>, waiting up to a minute for it.</summary>
    public async Task<S3ObjectEvent> EventAsync(string key, string eventName)
    {
        for (var waited = 0; waited < 1200; waited++)
        {
            if (Events.FirstOrDefault(e => e.Key == key && e.EventName == eventName) is { } found) return found;
            await Task.Delay(50);
        }
        throw new TimeoutException(
            $"No {eventName} event for {key}; events: {string.Join(", ", Events.Select(e => $"{e.EventName} {e.Key}"))}");
    }

    public async Task DisposeAsync()
    {
        await Front.DisposeAsync();
        await Emulator.DisposeAsync();
        Directory.Delete(data, recursive: true);
    }
}
