using System.Security.Cryptography;
using System.Text;

namespace Serverless.Local.Installers;

/// <summary>
/// Installs the pinned emulators into a cache folder on first use, from the npm registry and (the dashboard) NuGet:
/// <list type="bullet">
/// <item>DynamoDB Local (AWS's own, <see cref="DynamoDbLocalVersion"/>) from inside the npm tarball
/// <c>amplify-dynamodb-simulator@2.9.30</c>: only <c>emulator/</c> is extracted, the package itself is never installed.</item>
/// <item>The loopback launcher for it (<c>LoopbackDynamoDbLocal.java</c>, embedded in this assembly), compiled with javac.</item>
/// <item><c>cognito-local@5.3.0</c> and <c>s3rver@3.7.1</c>, each installed with npm into its own prefix.</item>
/// <item>The VADER sentiment lexicon of the model server (<c>vader_lexicon.txt</c>, LICENSE, NOTICE) from inside the npm
/// tarball <c>vader-sentiment@1.1.3</c> (Apache-2.0).</item>
/// <item>The Aspire dashboard (<see cref="AspireDashboardPackage"/>, a self-contained executable in the package's
/// <c>tools/</c>), downloaded by a <c>dotnet restore</c> of a <c>PackageDownload</c>, from the NuGet source the machine uses.</item>
/// </list>
/// Each install goes to a temporary folder, is moved into place and then marked done with a marker file naming the
/// pinned version, so later runs only check the marker. Installs are serialised between processes with a lock file.
/// Needs <c>npm</c>, <c>javac</c> (a JDK 17+) and <c>dotnet</c> on PATH; <c>node</c> and <c>java</c> to run the emulators.
/// </summary>
public sealed class EmulatorInstaller
{
    /// <summary>The npm package that carries DynamoDB Local.</summary>
    public const string DynamoDbCarrierPackage = "amplify-dynamodb-simulator";

    /// <summary>Pinned version of <see cref="DynamoDbCarrierPackage"/>.</summary>
    public const string DynamoDbCarrierVersion = "2.9.30";

    /// <summary>npm's integrity string (SHA-512) of the pinned carrier tarball; checked after download.</summary>
    public const string DynamoDbCarrierIntegrity =
        "sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ==";

    /// <summary>The DynamoDB Local version inside the carrier package.</summary>
    public const string DynamoDbLocalVersion = "1.25.1";

    /// <summary>The Cognito emulator package.</summary>
    public const string CognitoLocalPackage = "cognito-local";

    /// <summary>Pinned version of <see cref="CognitoLocalPackage"/>.</summary>
    public const string CognitoLocalVersion = "5.3.0";

    /// <summary>The S3 emulator package.</summary>
    public const string S3rverPackage = "s3rver";

    /// <summary>Pinned version of <see cref="S3rverPackage"/>.</summary>
    public const string S3rverVersion = "3.7.1";

    /// <summary>The npm package that carries the VADER lexicon.</summary>
    public const string VaderPackage = "vader-sentiment";

    /// <summary>Pinned version of <see cref="VaderPackage"/>.</summary>
    public const string VaderVersion = "1.1.3";

    /// <summary>npm's integrity string (SHA-512) of the pinned vader-sentiment tarball; checked after download.</summary>
    public const string VaderIntegrity =
        "sha512-z9ys48I7pd3ngy/YzYDCTcOp6//z96wiXaJnQnuyxiPT3PTU0mWLWVCKvips11S5euvHfXsr0ahsmWT2oeXcUw==";

    /// <summary>The lexicon's file name, in the package root and in the install folder.</summary>
    public const string VaderLexiconFileName = "vader_lexicon.txt";

    /// <summary>Name of the Java launcher, as source file and as class.</summary>
    public const string LauncherClass = "LoopbackDynamoDbLocal";

    /// <summary>The NuGet package of the standalone Aspire dashboard for this machine's platform.</summary>
    public static string AspireDashboardPackage =>
        $"Aspire.Dashboard.Sdk.{System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier}";

    /// <summary>Pinned version of <see cref="AspireDashboardPackage"/>.</summary>
    public const string AspireDashboardVersion = "13.6.5";

    private readonly Action<string> log;
    private readonly InstallCache installs;
    private readonly Lazy<string> launcherSource;
    private readonly Lazy<string> launcherHash;

    /// <summary>Creates an installer for a cache folder (the local cloud uses <c>&lt;repo&gt;/.local/emulators</c>).</summary>
    /// <param name="cacheDirectory">Folder that holds the installs; created when missing.</param>
    /// <param name="log">Receives progress lines and the output of npm and javac.</param>
    public EmulatorInstaller(string cacheDirectory, Action<string>? log = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(cacheDirectory);
        CacheDirectory = Path.GetFullPath(cacheDirectory);
        this.log = line =>
        {
            try
            {
                log?.Invoke(line);
            }
            catch (Exception)
            {
                // Progress output must never fail an install.
            }
        };
        installs = new InstallCache(CacheDirectory, this.log);
        launcherSource = new Lazy<string>(ReadLauncherSource);
        launcherHash = new Lazy<string>(() =>
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(DynamoDbLocalVersion + "\n" + launcherSource.Value)))[..12]);
    }

    /// <summary>The cache folder.</summary>
    public string CacheDirectory { get; }

    /// <summary>Folder holding DynamoDBLocal.jar and DynamoDBLocal_lib/ (the carrier's <c>emulator/</c>).</summary>
    public string DynamoDbLocalDirectory => Path.Combine(CacheDirectory, $"dynamodb-local-{DynamoDbLocalVersion}");

    /// <summary>DynamoDBLocal.jar.</summary>
    public string DynamoDbLocalJar => Path.Combine(DynamoDbLocalDirectory, "DynamoDBLocal.jar");

    /// <summary>DynamoDBLocal_lib/ (jars and the sqlite4java native libraries: pass it as java.library.path).</summary>
    public string DynamoDbLocalLibraryDirectory => Path.Combine(DynamoDbLocalDirectory, "DynamoDBLocal_lib");

    /// <summary>Class folder of the compiled launcher; named after a hash of its source, so an edit recompiles it.</summary>
    public string LauncherClassDirectory => Path.Combine(CacheDirectory, $"dynamodb-local-launcher-{launcherHash.Value}");

    /// <summary>Install prefix of cognito-local (holds node_modules/).</summary>
    public string CognitoLocalDirectory => Path.Combine(CacheDirectory, $"cognito-local-{CognitoLocalVersion}");

    /// <summary>cognito-local's start script, run with <c>node</c>.</summary>
    public string CognitoLocalStartScript =>
        Path.Combine(CognitoLocalDirectory, "node_modules", "cognito-local", "lib", "bin", "start.js");

    /// <summary>Install prefix of s3rver (holds node_modules/).</summary>
    public string S3rverDirectory => Path.Combine(CacheDirectory, $"{S3rverPackage}-{S3rverVersion}");

    /// <summary>The s3rver package folder (what <c>require</c> loads).</summary>
    public string S3rverPackageDirectory => Path.Combine(S3rverDirectory, "node_modules", S3rverPackage);

    /// <summary>Install folder of the VADER lexicon (<c>vader_lexicon.txt</c>, LICENSE, NOTICE).</summary>
    public string VaderLexiconDirectory => Path.Combine(CacheDirectory, $"{VaderPackage}-{VaderVersion}");

    /// <summary>The VADER lexicon file the model server loads (<c>--ModelServer:LexiconPath</c>).</summary>
    public string VaderLexiconPath => Path.Combine(VaderLexiconDirectory, VaderLexiconFileName);

    /// <summary>Install folder of the Aspire dashboard: the package's <c>tools/</c> (the executable, wwwroot).</summary>
    public string AspireDashboardDirectory => Path.Combine(CacheDirectory, $"aspire-dashboard-{AspireDashboardVersion}");

    /// <summary>The dashboard's executable (self-contained: it needs no .NET install).</summary>
    public string AspireDashboardExecutable => Path.Combine(AspireDashboardDirectory, "Aspire.Dashboard");

    /// <summary>True when the pinned VADER lexicon is installed.</summary>
    public bool IsVaderLexiconInstalled =>
        InstallCache.IsInstalled(VaderLexiconDirectory, VaderMarker) && File.Exists(VaderLexiconPath);

    /// <summary>A Node launcher script the build puts in <c>Emulators/</c> next to the local cloud's assembly.</summary>
    /// <exception cref="FileNotFoundException">It is not there: infra/Local was not built.</exception>
    public static string ShippedScript(string fileName)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Emulators", fileName);
        return File.Exists(script)
            ? script
            : throw new FileNotFoundException($"{fileName} is not in {Path.GetDirectoryName(script)}: build infra/Local.", script);
    }

    private static string VaderMarker => $"{VaderPackage}@{VaderVersion} {VaderIntegrity}";

    /// <summary>Installs the emulators and the model server's lexicon (in parallel) if needed.</summary>
    public Task InstallAllAsync(CancellationToken cancellationToken = default) =>
        Task.WhenAll(
            InstallDynamoDbLocalAsync(cancellationToken),
            InstallCognitoLocalAsync(cancellationToken),
            InstallS3rverAsync(cancellationToken),
            InstallVaderLexiconAsync(cancellationToken));

    /// <summary>Installs the VADER lexicon (three files of the npm tarball, no npm install), if not done yet;
    /// returns <see cref="VaderLexiconPath"/>.</summary>
    public async Task<string> InstallVaderLexiconAsync(CancellationToken cancellationToken = default)
    {
        var package = $"{VaderPackage}@{VaderVersion}";
        await installs.InstallOnceAsync(
            VaderLexiconDirectory,
            VaderMarker,
            $"the VADER lexicon ({package} from the npm registry)",
            async (staging, progress) =>
            {
                var tarball = await NpmTarball.PackAsync(
                    package, VaderIntegrity, Path.Combine(staging, "download"), progress, cancellationToken).ConfigureAwait(false);
                var target = Path.Combine(staging, "out");
                string[] files = [VaderLexiconFileName, "LICENSE", "NOTICE"];
                var extracted = NpmTarball.ExtractFiles(tarball, files.ToDictionary(file => "package/" + file, file => file), target);
                if (extracted != files.Length)
                {
                    throw new InvalidOperationException($"{package} lacks one of {string.Join(", ", files)}.");
                }
                Serverless.ModelServer.Vader.Lexicon.Load(Path.Combine(target, VaderLexiconFileName)); // refuse a file that does not parse
                return target;
            },
            cancellationToken).ConfigureAwait(false);
        return VaderLexiconPath;
    }

    /// <summary>Installs the Aspire dashboard, if not done yet: a <c>dotnet restore</c> of a project that only downloads the
    /// package (no build, none of the repository's props), then the package's <c>tools/</c> moved into place.</summary>
    public async Task InstallAspireDashboardAsync(CancellationToken cancellationToken = default)
    {
        var package = $"{AspireDashboardPackage}@{AspireDashboardVersion}";
        await installs.InstallOnceAsync(
            AspireDashboardDirectory,
            package,
            $"the Aspire dashboard ({package} from NuGet, ~40 MB download)",
            async (staging, progress) =>
            {
                var project = Path.Combine(staging, "download.csproj");
                await File.WriteAllTextAsync(project, $"""
                    <Project Sdk="Microsoft.NET.Sdk">
                      <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
                      <ItemGroup><PackageDownload Include="{AspireDashboardPackage}" Version="[{AspireDashboardVersion}]" /></ItemGroup>
                    </Project>
                    """, cancellationToken).ConfigureAwait(false);
                var packages = Path.Combine(staging, "packages");
                await InstallCache.RunToolAsync("dotnet",
                    ["restore", project, "--packages", packages, "-p:ImportDirectoryBuildProps=false",
                        "-p:ImportDirectoryBuildTargets=false", "-p:ImportDirectoryPackagesProps=false", "-v", "m"],
                    staging, progress, cancellationToken).ConfigureAwait(false);
                var tools = Path.Combine(packages, AspireDashboardPackage.ToLowerInvariant(), AspireDashboardVersion, "tools");
                var executable = Path.Combine(tools, "Aspire.Dashboard");
                if (!File.Exists(executable)) throw new InvalidOperationException($"{package} has no tools/Aspire.Dashboard.");
                // As the package's data/UnixFilePermissions.xml says: NuGet extracts files without it.
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(executable, (UnixFileMode)0b111_101_101);
                return tools;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Installs DynamoDB Local and compiles its loopback launcher, if not done yet.</summary>
    public async Task InstallDynamoDbLocalAsync(CancellationToken cancellationToken = default)
    {
        var carrier = $"{DynamoDbCarrierPackage}@{DynamoDbCarrierVersion}";
        await installs.InstallOnceAsync(
            DynamoDbLocalDirectory,
            $"{carrier} {DynamoDbCarrierIntegrity}",
            $"DynamoDB Local {DynamoDbLocalVersion} (emulator/ of npm package {carrier}, ~55 MB download)",
            async (staging, progress) =>
            {
                var tarball = await NpmTarball.PackAsync(
                    carrier, DynamoDbCarrierIntegrity, Path.Combine(staging, "download"), progress, cancellationToken)
                    .ConfigureAwait(false);
                var target = Path.Combine(staging, "out");
                var files = NpmTarball.ExtractFolder(tarball, "package/emulator/", target);
                progress($"Extracted {files} files of emulator/ from {Path.GetFileName(tarball)}.");
                if (!File.Exists(Path.Combine(target, "DynamoDBLocal.jar")))
                {
                    throw new InvalidOperationException($"{carrier} has no emulator/DynamoDBLocal.jar.");
                }
                return target;
            },
            cancellationToken).ConfigureAwait(false);

        await installs.InstallOnceAsync(
            LauncherClassDirectory,
            $"{LauncherClass}.java sha256:{launcherHash.Value} DynamoDBLocal {DynamoDbLocalVersion}",
            $"the loopback launcher for DynamoDB Local ({LauncherClass}.java, javac)",
            async (staging, progress) =>
            {
                var source = Path.Combine(staging, "src", LauncherClass + ".java");
                Directory.CreateDirectory(Path.GetDirectoryName(source)!);
                await File.WriteAllTextAsync(source, launcherSource.Value, cancellationToken).ConfigureAwait(false);
                var classes = Path.Combine(staging, "classes");
                Directory.CreateDirectory(classes);
                // DynamoDBLocal.jar's manifest Class-Path brings in DynamoDBLocal_lib/*.jar (Jetty among them).
                await InstallCache.RunToolAsync("javac", ["-nowarn", "-d", classes, "-cp", DynamoDbLocalJar, source], staging, progress,
                    cancellationToken)
                    .ConfigureAwait(false);
                return classes;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Installs cognito-local with npm, if not done yet.</summary>
    public Task InstallCognitoLocalAsync(CancellationToken cancellationToken = default) =>
        InstallNpmPackageAsync(
            CognitoLocalDirectory, CognitoLocalPackage, CognitoLocalVersion, "~130 MB", Path.Combine("lib", "bin", "start.js"),
                cancellationToken);

    /// <summary>Installs s3rver with npm, if not done yet.</summary>
    public Task InstallS3rverAsync(CancellationToken cancellationToken = default) =>
        InstallNpmPackageAsync(S3rverDirectory, S3rverPackage, S3rverVersion, "~14 MB", Path.Combine("lib", "s3rver.js"),
            cancellationToken);

    /// <summary>npm-installs <paramref name="name"/>@<paramref name="version"/> into its own prefix, if not done yet; the
    /// install counts as done only when the package holds <paramref name="requiredFile"/>.</summary>
    private Task InstallNpmPackageAsync(
        string directory, string name, string version, string size, string requiredFile, CancellationToken cancellationToken)
    {
        var package = $"{name}@{version}";
        return installs.InstallOnceAsync(
            directory,
            package,
            $"{package} (npm install, {size} in node_modules)",
            async (staging, progress) =>
            {
                var prefix = Path.Combine(staging, "prefix");
                Directory.CreateDirectory(prefix);
                await InstallCache.RunToolAsync(
                    "npm",
                    ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--ignore-scripts", "--save-exact", package],
                    prefix,
                    progress,
                    cancellationToken).ConfigureAwait(false);
                if (!File.Exists(Path.Combine(prefix, "node_modules", name, requiredFile)))
                {
                    throw new InvalidOperationException($"npm install {package} did not produce {requiredFile}.");
                }
                return prefix;
            },
            cancellationToken);
    }

    private static string ReadLauncherSource()
    {
        var assembly = typeof(EmulatorInstaller).Assembly;
        var name = assembly.GetManifestResourceNames()
            .FirstOrDefault(n => n.EndsWith(LauncherClass + ".java", StringComparison.Ordinal))
            ?? throw new InvalidOperationException(
                $"{LauncherClass}.java is not embedded in {assembly.GetName().Name}: add " +
                $"<EmbeddedResource Include=\"Emulators/{LauncherClass}.java\" LogicalName=\"{LauncherClass}.java\" /> to its project.");
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
