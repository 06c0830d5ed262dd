using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Serverless.Local;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// A web frontend's world: a test page (<c>BrowserPage.html</c>) served from <c>http://localhost:{free port}</c>, a local
/// cloud started with that origin as <c>CorsAllowedOrigins</c> and a small <c>MonthlyTextQuota</c> (<c>--parameter-overrides</c>,
/// as a frontend developer on another port runs it), and headless Debian Chromium driven by Playwright. The same page at
/// <c>http://127.0.0.1:{port}</c>
/// is an origin the stack does not allow.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>Each user's plan here: room for what one test does, so that a page can also go past it.</summary>
    public const int MonthlyTextQuota = 40;

    // Debian's Chromium as a test browser: no sandbox (root), no GPU, nothing fetched from the internet behind the page's back.
    private static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private readonly ConcurrentQueue<string> log = new();
    private readonly string stateDirectory = Path.Combine(Path.GetTempPath(), "serverless-browser-" + Guid.NewGuid().ToString("N")[..8]);
    private WebApplication pages = null!;
    private IPlaywright playwright = null!;

    public LocalCloud Cloud { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The page's origin, the one the local cloud allows: <c>http://localhost:{port}</c>.</summary>
    public string AllowedOrigin { get; private set; } = "";

    /// <summary>The same page from an origin the local cloud does not allow: <c>http://127.0.0.1:{port}</c>.</summary>
    public string RefusedOrigin { get; private set; } = "";

    /// <summary>Everything the local cloud, its functions and the pages printed so far.</summary>
    public IReadOnlyCollection<string> Log => log;

    public async Task InitializeAsync()
    {
        // Fail, not skip: a machine without the browser must say what to install.
        if (!File.Exists(Chromium))
            throw new InvalidOperationException(
                $"The browser tests drive Debian's Chromium at {Chromium}, which is missing: apt-get install -y chromium");

        pages = await StartPageServerAsync();
        var port = new Uri(pages.Urls.First()).Port;
        AllowedOrigin = $"http://localhost:{port}";
        RefusedOrigin = $"http://127.0.0.1:{port}";

        var repoRoot = LocalCloudOptions.FindRepoRoot(AppContext.BaseDirectory);
        var options = new LocalCloudOptions(repoRoot, ApiPort: 0, LambdaPort: 0, DynamoDbPort: 0, CognitoPort: 0, ModelPort: 0, S3Port: 0)
        {
            StateDirectory = stateDirectory,
            Packaged = true,
            Dashboard = false,
            MetricsPort = 0,
            ParameterOverrides = new Dictionary<string, string>
            {
                ["CorsAllowedOrigins"] = AllowedOrigin,
                ["MonthlyTextQuota"] = MonthlyTextQuota.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        };
        Cloud = await LocalCloud.StartAsync(options, log.Enqueue, CancellationToken.None);

        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ChromiumArgs });
    }

    /// <summary>
    /// The test page from <paramref name="origin"/> in a fresh browser context (a new visitor: no cookies, no cache, no
    /// preflight cache), told the stack's outputs by its address. Its console goes to <see cref="Log"/>.
    /// </summary>
    public async Task<IPage> OpenAsync(string origin)
    {
        var context = await Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        page.Console += (_, message) => log.Enqueue($"[page {origin}] {message.Type}: {message.Text}");
        var outputs = new Dictionary<string, string>
        {
            ["api"] = Cloud.Outputs["ApiUrl"],
            ["cognito"] = Cloud.Outputs["CognitoEndpoint"],
            ["clientId"] = Cloud.Outputs["UserPoolClientId"],
        };
        var query = string.Join('&', outputs.Select(output => $"{output.Key}={Uri.EscapeDataString(output.Value)}"));
        await page.GotoAsync($"{origin}/?{query}");
        return page;
    }

    private static async Task<WebApplication> StartPageServerAsync()
    {
        using var resource = typeof(BrowserFixture).Assembly.GetManifestResourceStream("BrowserPage.html")!;
        var html = await new StreamReader(resource).ReadToEndAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/", () => Results.Content(html, "text/html; charset=utf-8"));
        await app.StartAsync();
        return app;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        playwright?.Dispose();
        if (Cloud is not null) await Cloud.DisposeAsync();
        if (pages is not null) await pages.DisposeAsync();
        if (Directory.Exists(stateDirectory)) Directory.Delete(stateDirectory, recursive: true);
    }
}
