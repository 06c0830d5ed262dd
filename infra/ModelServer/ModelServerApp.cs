using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Serverless.ModelServer.Vader;

namespace Serverless.ModelServer;

/// <summary>
/// Settings, from the <c>ModelServer</c> configuration section (command line <c>--ModelServer:Endpoints=a,b</c>,
/// environment <c>ModelServer__Endpoints=a,b</c>, or appsettings).
/// </summary>
public sealed class ModelServerOptions
{
    /// <summary>The endpoint names served (EndpointName in InvokeEndpoint); empty: any valid name is served.</summary>
    public IReadOnlyList<string> Endpoints { get; init; } = [];

    /// <summary>Production variant named in <c>x-Amzn-Invoked-Production-Variant</c>.</summary>
    public string Variant { get; init; } = "AllTraffic";

    /// <summary>Account id in messages and ARNs.</summary>
    public string AccountId { get; init; } = "000000000000";

    /// <summary>Region in messages and ARNs.</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>
    /// The access key InvokeEndpoint must be signed with (SigV4, signing name <c>sagemaker</c>), with
    /// <see cref="SecretKey"/>; null: signatures are not checked (the server alone, in its own tests).
    /// </summary>
    public string? AccessKey { get; init; }

    /// <summary>The secret key of <see cref="AccessKey"/>.</summary>
    public string? SecretKey { get; init; }

    /// <summary>Whether <paramref name="endpointName"/> is served.</summary>
    public bool Serves(string endpointName) => Endpoints.Count == 0 || Endpoints.Contains(endpointName, StringComparer.Ordinal);

    /// <summary>Reads the <c>ModelServer</c> section (Region falls back to AWS_REGION, AWS_DEFAULT_REGION, us-east-1).</summary>
    public static ModelServerOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection("ModelServer");
        var endpoints = section["Endpoints"] is { } list
            ? list.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : section.GetSection("Endpoints").GetChildren().Select(child => child.Value).OfType<string>().ToArray();
        return new ModelServerOptions
        {
            Endpoints = endpoints,
            Variant = NonEmpty(section["Variant"]) ?? "AllTraffic",
            AccountId = NonEmpty(section["AccountId"]) ?? "000000000000",
            Region = NonEmpty(section["Region"]) ?? NonEmpty(configuration["AWS_REGION"])
                ?? NonEmpty(configuration["AWS_DEFAULT_REGION"]) ?? "us-east-1",
            AccessKey = NonEmpty(section["AccessKey"]),
            SecretKey = NonEmpty(section["SecretKey"]),
        };
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>Builds the model server: configuration, the lexicon, the routes, loopback-only binding.</summary>
public static class ModelServerApp
{
    /// <summary>Where the server listens when no <c>--urls</c> is given (SageMaker containers serve on 8080).</summary>
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>
    /// Creates the app (not started). Configuration as for any ASP.NET Core app; the lexicon is loaded from
    /// <c>ModelServer:LexiconPath</c> (see <see cref="LexiconPath"/>). The server never installs it: the local cloud's
    /// EmulatorInstaller does (infra/Local).
    /// </summary>
    /// <param name="args">Command-line arguments: <c>--urls</c>, <c>--ModelServer:…</c> settings.</param>
    public static WebApplication Create(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        var urls = NonEmpty(builder.Configuration["urls"]) ?? DefaultUrl;
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            RequireLoopback(url);
        }
        builder.WebHost.UseUrls(urls);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Above InvokeEndpoint's 6 MB so that the route itself answers an oversized body, the way SageMaker does.
            kestrel.Limits.MaxRequestBodySize = 16L * 1024 * 1024;
        });

        var lexiconPath = LexiconPath(builder.Configuration);
        var lexicon = Lexicon.Load(lexiconPath);

        builder.Services.AddSingleton(ModelServerOptions.From(builder.Configuration));
        builder.Services.AddSingleton(lexicon);
        builder.Services.AddSingleton<SentimentAnalyzer>();
        builder.Services.AddSingleton<FaultInjector>();

        var app = builder.Build();
        var options = app.Services.GetRequiredService<ModelServerOptions>();
        app.Logger.LogInformation(
            "VADER lexicon: {Count} tokens from {Path}; endpoints: {Endpoints}; variant {Variant}",
            lexicon.Count, lexiconPath, options.Endpoints.Count == 0 ? "(any name)"
                : string.Join(", ", options.Endpoints), options.Variant);

        CallerGuard.Use(app, options);
        app.MapGet("/ping", () => Results.Ok());
        InvokeEndpoint.Map(app);
        FaultRoutes.Map(app);
        return app;
    }

    /// <summary>The addresses the started app listens on (with the real port when port 0 was asked for).</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToArray() ?? [];

    /// <summary>The lexicon file named by <c>ModelServer:LexiconPath</c> (a <c>vader_lexicon.txt</c>), as a full path.</summary>
    /// <exception cref="InvalidOperationException">No path is configured.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static string LexiconPath(IConfiguration configuration)
    {
        var path = NonEmpty(configuration["ModelServer:LexiconPath"])
            ?? throw new InvalidOperationException(
                "No VADER lexicon configured: pass --ModelServer:LexiconPath=<vader_lexicon.txt> (the local cloud installs it " +
                "into .local/emulators/vader-sentiment-1.1.3/ and passes it).");
        var full = Path.GetFullPath(path);
        return File.Exists(full)
            ? full
            : throw new FileNotFoundException($"ModelServer:LexiconPath points at {full}, which does not exist.", full);
    }

    private static void RequireLoopback(string url)
    {
        // Kestrel's own forms: http://127.0.0.1:0, http://localhost:8080, http://[::1]:8080.
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"--urls: '{url}' is not an http:// URL.");
        }
        var loopback = uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
        if (!loopback)
        {
            throw new ArgumentException($"--urls: '{url}' is not a loopback address; the model server listens on 127.0.0.1 only.");
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
