using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Local.Cognito;
using Serverless.Local.Emulators;
using Serverless.Local.Gateway;
using Serverless.Local.Installers;
using Serverless.Local.Lambda;
using Serverless.Local.S3;
using Serverless.Local.Schedules;
using Serverless.Local.Streams;
using Serverless.Local.Telemetry;
using Serverless.Local.Template;

namespace Serverless.Local;

/// <summary>
/// <c>template.yaml</c> on 127.0.0.1: installs and starts the emulators and the model server (the SageMaker endpoint the
/// template creates or names: <see cref="LocalResources.ModelEndpointNames"/>), provisions the template's
/// table, buckets and user pool, builds the functions (<see cref="FunctionBuilds"/>: fast builds, or the packages when
/// <see cref="LocalCloudOptions.Packaged"/>), serves them through the local Lambda service and the HTTP API through the
/// gateway, and writes the resolved Outputs; with <see cref="LocalCloudOptions.Watch"/>, rebuilds and reloads a group
/// when its code changes (<see cref="FunctionWatch"/>). Disposing stops it all.
/// </summary>
public sealed class LocalCloud : IAsyncDisposable
{
    public const string StackName = "serverless-local";

    private readonly List<IAsyncDisposable> parts = [];

    /// <summary>The stream pollers' connection to DynamoDB Local; disposed after them.</summary>
    private readonly HttpClient streamsHttp = new();

    /// <summary>The function groups' builds; kept to rebuild them under <see cref="LocalCloudOptions.Watch"/>.</summary>
    private FunctionBuilds builds = null!;

    private LocalCloud(LocalCloudOptions options) => Options = options;

    public LocalCloudOptions Options { get; }
    public IReadOnlyDictionary<string, string> Outputs { get; private set; } = new Dictionary<string, string>();
    public LambdaService Lambda { get; private set; } = null!;

    public static async Task<LocalCloud> StartAsync(LocalCloudOptions options, Action<string> log, CancellationToken cancellationToken)
    {
        var cloud = new LocalCloud(options);
        try
        {
            await cloud.StartPartsAsync(log, cancellationToken);
            return cloud;
        }
        catch
        {
            await cloud.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the parts in dependency order; each is added to <see cref="parts"/> as it starts, to be stopped.</summary>
    private async Task StartPartsAsync(Action<string> log, CancellationToken cancellationToken)
    {
        var template = LocalTemplate(SamTemplate.Load(Options.TemplatePath), Options.ParameterOverrides);
        Directory.CreateDirectory(Options.StateDirectory);

        Lambda = await LambdaService.StartAsync(Options.LambdaPort, Options.AsyncInvocations, log, Options.Scaling);
        parts.Add(Lambda);

        var (emulators, packages) = await StartEmulatorsAsync(template, log, cancellationToken);
        var metrics = new MetricStore();
        var metricsView = await MetricsView.StartAsync(Options.MetricsPort, metrics);
        parts.Add(metricsView);
        parts.Add(LocalTelemetry.Start(Lambda, metrics, emulators.Dashboard?.OtlpEndpoint, log));
        var resources = new LocalResources(template, emulators.DynamoDb, emulators.Cognito, emulators.S3);
        await resources.ProvisionAsync(log, cancellationToken);

        var cognitoFront = await CognitoFront.StartAsync(Options.CognitoPort, emulators.Cognito.Endpoint, resources.PasswordPolicyOf,
            resources.PoolOf);
        parts.Add(cognitoFront);
        var s3Front = await S3Front.StartAsync(Options.S3Port, emulators.S3.Endpoint, resources.CorsRulesOf);
        parts.Add(s3Front);

        foreach (var function in resources.Functions(packages, Lambda.Endpoint, cognitoFront.Endpoint, emulators.Model.Endpoint,
            s3Front.Endpoint))
            Lambda.Register(function);
        StartEventSources(resources, emulators, log);

        var gateway = await HttpApiGateway.StartAsync(Options.ApiPort, resources.Routes(), resources.Authorizers(), resources.Cors(),
            Lambda, log);
        parts.Add(gateway);
        if (Options.Watch) parts.Add(FunctionWatch.Start(Options.RepoRoot, builds, Lambda, log));

        var outputs = resources.Outputs();
        outputs["ApiUrl"] = gateway.Endpoint;
        outputs["CognitoEndpoint"] = cognitoFront.Endpoint;
        outputs["DynamoDbEndpoint"] = emulators.DynamoDb.Endpoint;
        outputs["LambdaEndpoint"] = Lambda.Endpoint;
        outputs["S3Endpoint"] = s3Front.Endpoint;
        outputs["SageMakerEndpointUrl"] = emulators.Model.Endpoint;
        outputs["MetricsEndpoint"] = metricsView.Endpoint;
        if (emulators.Dashboard is { } dashboard) outputs["DashboardUrl"] = dashboard.Url;
        Outputs = outputs;
        await WriteOutputsAsync(cancellationToken);
    }

    /// <summary>
    /// The template with the given parameter values, and <c>AllowUserPasswordAuth=true</c> unless they set it: the Cognito
    /// emulator has no SRP, so the local app client takes the password flow, as a deployed one does only when asked.
    /// </summary>
    public static SamTemplate LocalTemplate(SamTemplate template, IReadOnlyDictionary<string, string> overrides)
    {
        var values = new Dictionary<string, string>(overrides);
        if (template.Parameters.ContainsKey("AllowUserPasswordAuth")) values.TryAdd("AllowUserPasswordAuth", "true");
        return template.WithParameterValues(values);
    }

    private sealed record StartedEmulators(DynamoDbLocal DynamoDb, CognitoLocal Cognito, S3Local S3, LocalModelServer Model,
        AspireDashboard? Dashboard);

    /// <summary>Starts the emulators, the model server and the dashboard while the function packages build, all at once.</summary>
    private async Task<(StartedEmulators Emulators, Dictionary<string, string> Packages)> StartEmulatorsAsync(SamTemplate template,
        Action<string> log, CancellationToken cancellationToken)
    {
        var installer = new EmulatorInstaller(Path.Combine(Options.RepoRoot, ".local", "emulators"), log);
        var state = Options.Persist ? Options.PersistedStateDirectory : Options.StateDirectory;
        var dynamoDbStarting = DynamoDbLocal.StartAsync(installer, Options.DynamoDbPort,
            dataDirectory: Options.Persist ? Path.Combine(state, "dynamodb") : null, output: log, cancellationToken: cancellationToken);
        var cognitoDirectory = Path.Combine(state, "cognito");
        var s3Directory = Path.Combine(state, "s3");
        if (!Options.Persist)
            foreach (var directory in new[] { cognitoDirectory, s3Directory }.Where(Directory.Exists))
                Directory.Delete(directory, recursive: true); // a clean slate, as the in-memory table is
        var cognitoStarting = StartCognitoAsync(installer, cognitoDirectory, template, log, cancellationToken);
        var s3Starting = S3Local.StartAsync(installer, s3Directory, output: log, cancellationToken: cancellationToken);
        var modelStarting = LocalModelServer.StartAsync(installer, string.Join(',', LocalResources.ModelEndpointNames(template)),
            Options.ModelPort,
            output: log, cancellationToken: cancellationToken);
        var packagesBuilding = BuildPackagesAsync(template, log, cancellationToken);
        var dashboardStarting = StartDashboardAsync(installer, log, cancellationToken);

        var dynamoDb = await dynamoDbStarting;
        parts.Add(dynamoDb);
        var cognito = await cognitoStarting;
        parts.Add(cognito);
        var s3 = await s3Starting;
        parts.Add(s3);
        var model = await modelStarting;
        parts.Add(model);
        var dashboard = await dashboardStarting;
        if (dashboard is not null) parts.Add(dashboard);
        return (new StartedEmulators(dynamoDb, cognito, s3, model, dashboard), await packagesBuilding);
    }

    /// <summary>The Aspire dashboard, unless <see cref="LocalCloudOptions.Dashboard"/> is off; one that cannot start is
    /// said and done without (the metrics view still keeps the metrics), since the suite works without it.</summary>
    private async Task<AspireDashboard?> StartDashboardAsync(EmulatorInstaller installer, Action<string> log,
        CancellationToken cancellationToken)
    {
        if (!Options.Dashboard) return null;
        try
        {
            return await AspireDashboard.StartAsync(installer, Options.DashboardPort, log, cancellationToken);
        }
        catch (Exception error) when (error is InvalidOperationException or IOException or TimeoutException)
        {
            log($"[dashboard] the Aspire dashboard did not start, the local cloud runs without it: {error.Message}");
            return null;
        }
    }

    /// <summary>
    /// cognito-local on a free port; under --persist on the port it had last time (kept in <c>port</c> beside its data),
    /// because its tokens' issuer names that port: a token given before a restart still verifies after it.
    /// </summary>
    private async Task<CognitoLocal> StartCognitoAsync(EmulatorInstaller installer, string directory, SamTemplate template,
        Action<string> log, CancellationToken cancellationToken)
    {
        var portFile = Path.Combine(directory, "port");
        var port = Options.Persist && File.Exists(portFile)
            ? int.Parse(await File.ReadAllTextAsync(portFile, cancellationToken), CultureInfo.InvariantCulture) : 0;
        Task<CognitoLocal> StartOn(int port) => CognitoLocal.StartAsync(installer, directory, port, Lambda.Endpoint,
            CognitoTriggers(template), output: log, cancellationToken: cancellationToken);
        CognitoLocal cognito;
        try
        {
            cognito = await StartOn(port);
        }
        catch (InvalidOperationException taken) when (port != 0 && taken.Message.Contains("EADDRINUSE", StringComparison.Ordinal))
        {
            log($"[cognito] port {port} is taken: tokens given before the restart no longer verify");
            cognito = await StartOn(0);
        }
        if (Options.Persist) await File.WriteAllTextAsync(portFile, cognito.Port.ToString(CultureInfo.InvariantCulture), cancellationToken);
        return cognito;
    }

    /// <summary>What invokes functions without a request: S3 notifications, schedules, stream event source mappings.</summary>
    private void StartEventSources(LocalResources resources, StartedEmulators emulators, Action<string> log)
    {
        var notifications = new S3Notifications(resources.S3Subscriptions(), Lambda, TimeProvider.System, log);
        emulators.S3.ObjectChanged += notifications.Publish;
        foreach (var subscription in notifications.Subscriptions)
            log($"[s3] s3://{subscription.Bucket}/{subscription.Prefix}*{subscription.Suffix} {string.Join(",", subscription.Events)}"
                + $" -> {subscription.FunctionName} (asynchronous)");

        var schedules = resources.Schedules(TimeProvider.System.GetUtcNow());
        parts.Add(Scheduler.Start(schedules, Lambda.InvokeAsynchronously, TimeProvider.System, log));
        foreach (var rule in schedules) log($"[schedule] {rule.Name} {rule.Expression} -> {rule.FunctionName} (asynchronous)");

        var streams = new DynamoDbStreamsApi(streamsHttp, emulators.DynamoDb.Endpoint);
        var failures = new OnFailureDestination(Options.AsyncInvocations.FailuresDirectory, TimeProvider.System, log);
        foreach (var source in resources.StreamEventSources())
            parts.Add(StreamPoller.Start(source, streams, Lambda, failures, TimeProvider.System, log));
    }

    /// <summary><c>outputs.json</c>, in the shape <c>aws cloudformation describe-stacks</c> gives a stack's Outputs.</summary>
    private async Task WriteOutputsAsync(CancellationToken cancellationToken)
    {
        var outputsJson = new JsonArray(Outputs.Select(output => (JsonNode?)new JsonObject
        {
            ["OutputKey"] = output.Key,
            ["OutputValue"] = output.Value,
        }).ToArray());
        await File.WriteAllTextAsync(Path.Combine(Options.StateDirectory, "outputs.json"),
            outputsJson.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), cancellationToken);
    }

    /// <summary>
    /// Cognito triggers from the user pool's <c>LambdaConfig</c>: trigger name → the function's ARN as the template resolves
    /// it (an alias ARN when the trigger names <c>Fn.Alias</c>), which the Cognito emulator invokes as Cognito does.
    /// </summary>
    private static Dictionary<string, string> CognitoTriggers(SamTemplate template)
    {
        var resolver = OfflineValues.Resolver(template);
        return template.ResourcesOfType("AWS::Cognito::UserPool")
            .SelectMany(pool => resolver.Resolve(pool.Properties["LambdaConfig"])?.AsObject() ?? [])
            .ToDictionary(trigger => trigger.Key, trigger => trigger.Value!.GetValue<string>());
    }

    /// <summary>Each <c>CodeUri</c>'s build: the folder its functions run from.</summary>
    private async Task<Dictionary<string, string>> BuildPackagesAsync(SamTemplate template, Action<string> log,
        CancellationToken cancellationToken)
    {
        builds = FunctionBuilds.For(template, Options.RepoRoot, Options.Packaged);
        var built = await builds.BuildChangedAsync(log, cancellationToken);
        return built.ToDictionary(build => build.Group.CodeUri, build => build.Directory);
    }

    public void PrintQuickStart(TextWriter output)
    {
        string Output(string key) => Outputs.GetValueOrDefault(key, "");
        output.WriteLine();
        output.WriteLine("Serverless is running locally. Outputs (also in .local/outputs.json):");
        foreach (var (key, value) in Outputs) output.WriteLine($"  {key,-21} {value}");
        output.WriteLine();
        output.WriteLine("Functions:");
        foreach (var function in Lambda.Functions) output.WriteLine($"  {function.Name,-24} handler {function.Handler}");
        output.WriteLine();
        output.WriteLine("Quick start (another terminal; any credentials work locally):");
        output.WriteLine($"""
              export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION={LocalAccount.Region}
              aws cognito-idp sign-up --endpoint-url {Output("CognitoEndpoint")} --client-id {Output("UserPoolClientId")} \
                --username me@example.com --password 'Passw0rd!' --user-attributes Name=email,Value=me@example.com
              aws cognito-idp admin-confirm-sign-up --endpoint-url {Output("CognitoEndpoint")} --user-pool-id {Output("UserPoolId")} \
                --username me@example.com
              TOKEN=$(aws cognito-idp initiate-auth --endpoint-url {Output("CognitoEndpoint")} --client-id {Output("UserPoolClientId")} \
                --auth-flow USER_PASSWORD_AUTH --auth-parameters USERNAME=me@example.com,PASSWORD='Passw0rd!' \
                --query AuthenticationResult.AccessToken --output text)
              curl -H "Authorization: Bearer $TOKEN" {Output("ApiUrl")}/me
            """);
        output.WriteLine("Ctrl+C stops everything.");
    }

    /// <summary>Stops every part at once: one after another, their children's grace periods and the invocations the event
    /// sources waited for added up to many seconds. An invocation cut short fails; nothing starts a new instance meanwhile
    /// (<see cref="FunctionPool.DisposeAsync"/>).</summary>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(parts.Select(part => part.DisposeAsync().AsTask()));
        parts.Clear();
        streamsHttp.Dispose();
    }
}
