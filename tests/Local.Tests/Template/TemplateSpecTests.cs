using Serverless.Local.Template;
using Serverless.Local.Tests.Emulators;
using Xunit.Abstractions;

namespace Serverless.Local.Tests.Template;

/// <summary>Installs the pinned CloudFormation resource specification once per test run and reads the repository's template.</summary>
public sealed class CloudFormationSpecFixture : IAsyncLifetime
{
    private readonly List<string> log = [];

    public string SpecificationPath { get; private set; } = "";
    public CloudFormationSpec Spec { get; private set; } = null!;
    public SamTemplate Template { get; private set; } = null!;
    public TemplateValidation Validation { get; private set; } = null!;
    public IReadOnlyList<string> InstallLog => log;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        SpecificationPath = await CloudFormationSpecPackage.InstallAsync(EmulatorTestPaths.Cache, line => { lock (log) log.Add(line); }, timeout.Token);
        Spec = CloudFormationSpec.Load(SpecificationPath);
        Template = SamTemplate.Load(Path.Combine(EmulatorTestPaths.RepoRoot, "template.yaml"));
        Validation = Spec.Validate(Template);
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>
/// template.yaml against AWS's CloudFormation resource specification (<c>@aws-cdk/cfnspec</c>, SAM types included):
/// the stand-in for cfn-lint / <c>sam validate</c>, which cannot run on these machines.
/// </summary>
public sealed class TemplateSpecTests(CloudFormationSpecFixture fixture, ITestOutputHelper output) : IClassFixture<CloudFormationSpecFixture>
{
    public static TheoryData<string> ResourceIds()
    {
        var template = SamTemplate.Load(Path.Combine(EmulatorTestPaths.RepoRoot, "template.yaml"));
        var ids = new TheoryData<string>();
        foreach (var (id, _) in template.Resources)
        {
            ids.Add(id);
        }
        return ids;
    }

    private static SamTemplate Load(string yaml)
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, yaml);
        try
        {
            return SamTemplate.Load(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private IReadOnlyList<SpecFinding> FindingsUnder(string prefix) =>
        fixture.Validation.Findings.Where(f => f.Path == prefix || f.Path.StartsWith(prefix + ".", StringComparison.Ordinal)
            || f.Path.StartsWith(prefix + "[", StringComparison.Ordinal)).ToList();

    private static string Describe(IEnumerable<SpecFinding> findings) =>
        string.Join(Environment.NewLine, findings.Select(f => "  " + f));

    // ---------- the spec package ----------

    [Fact]
    public async Task The_pinned_spec_package_is_installed_once_into_the_emulator_cache()
    {
        var directory = CloudFormationSpecPackage.InstallDirectory(EmulatorTestPaths.Cache);
        Assert.Equal(Path.Combine(directory, "specification.json"), fixture.SpecificationPath);
        Assert.Equal(CloudFormationSpecPackage.MarkerText, File.ReadAllText(Path.Combine(directory, ".installed")).Trim());
        Assert.Equal(CloudFormationSpecPackage.SpecificationVersion, fixture.Spec.Version);
        Assert.Equal(CloudFormationSpecPackage.SpecificationVersion, File.ReadAllText(Path.Combine(directory, "cfn.version")).Trim());

        var marker = File.GetLastWriteTimeUtc(Path.Combine(directory, ".installed"));
        var again = await CloudFormationSpecPackage.InstallAsync(EmulatorTestPaths.Cache);
        Assert.Equal(fixture.SpecificationPath, again);
        Assert.Equal(marker, File.GetLastWriteTimeUtc(Path.Combine(directory, ".installed")));
    }

    [Fact]
    public async Task Concurrent_installs_into_an_empty_cache_all_succeed_and_leave_one_complete_install()
    {
        var cache = EmulatorTestPaths.NewScratchDirectory("cfnspec");
        try
        {
            var lines = new List<string>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            var installs = Enumerable.Range(0, 3)
                .Select(_ => Task.Run(() => CloudFormationSpecPackage.InstallAsync(cache, line => { lock (lines) lines.Add(line); }, timeout.Token)))
                .ToArray();
            var paths = await Task.WhenAll(installs);

            Assert.Single(paths.Distinct());
            Assert.True(CloudFormationSpecPackage.IsInstalled(CloudFormationSpecPackage.InstallDirectory(cache)));
            Assert.Single(lines, line => line.StartsWith("Installing ", StringComparison.Ordinal));
            Assert.Empty(Directory.GetDirectories(cache, ".staging-*"));
            Assert.Equal(CloudFormationSpecPackage.SpecificationVersion, CloudFormationSpec.Load(paths[0]).Version);
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    [Fact]
    public void The_addenda_add_only_what_the_pinned_spec_lacks()
    {
        Assert.Empty(fixture.Spec.AddendaAlreadyInSpec);
        var pinned = CloudFormationSpec.Load(fixture.SpecificationPath, withAddenda: false);
        Assert.False(pinned.ResourceTypes["AWS::Serverless::Function"].Properties!.ContainsKey("LoggingConfig"));
        Assert.False(pinned.ResourceTypes["AWS::Lambda::Function"].Properties!.ContainsKey("LoggingConfig"));
    }

    [Fact]
    public void The_spec_lists_the_attributes_the_template_reads()
    {
        Assert.Equivalent(new[] { "Arn", "StreamArn" }, fixture.Spec.AttributesOf("AWS::DynamoDB::Table")!, strict: true);
        Assert.Equivalent(new[] { "Arn", "ProviderName", "ProviderURL" }, fixture.Spec.AttributesOf("AWS::Cognito::UserPool")!, strict: true);
        Assert.Contains("Arn", fixture.Spec.AttributesOf("AWS::Serverless::Function")!); // via the AWS::Lambda::Function SAM generates
        Assert.Contains("ApiEndpoint", fixture.Spec.AttributesOf("AWS::Serverless::HttpApi")!);
        Assert.Empty(fixture.Spec.AttributesOf("AWS::Lambda::Permission")!);
    }

    // ---------- template.yaml ----------

    [Theory]
    [MemberData(nameof(ResourceIds))]
    public void Each_resource_type_of_the_template_is_in_the_spec(string logicalId)
    {
        var type = fixture.Template.Resources[logicalId]!["Type"]!.GetValue<string>();
        Assert.True(fixture.Spec.ResourceTypes.ContainsKey(type), $"{logicalId}: {type} is not in CloudFormation spec {fixture.Spec.Version}.");
    }

    [Theory]
    [MemberData(nameof(ResourceIds))]
    public void Each_resource_of_the_template_matches_the_spec(string logicalId)
    {
        var findings = FindingsUnder($"Resources.{logicalId}");
        Assert.True(findings.Count == 0, $"Resources.{logicalId} does not match CloudFormation spec {fixture.Spec.Version}:{Environment.NewLine}{Describe(findings)}");
    }

    [Fact]
    public void Globals_Function_holds_only_valid_Serverless_Function_properties()
    {
        var findings = FindingsUnder("Globals");
        Assert.True(findings.Count == 0, Describe(findings));
        foreach (var (property, _) in fixture.Template.Root["Globals"]!["Function"]!.AsObject())
        {
            Assert.True(fixture.Spec.ResourceTypes["AWS::Serverless::Function"].Properties!.ContainsKey(property), property);
        }
        Assert.Equal("Integer", fixture.Validation.Checked["Globals.Function.MemorySize"]);
        Assert.Equal("List<String>", fixture.Validation.Checked["Globals.Function.Architectures"]);
        Assert.Equal("String", fixture.Validation.Checked["Globals.Function.LoggingConfig.ApplicationLogLevel"]);
        Assert.Equal("Map<String>", fixture.Validation.Checked["Globals.Function.Environment.Variables"]);
    }

    [Fact]
    public void Refs_GetAtts_and_Subs_point_at_parameters_resources_pseudo_parameters_and_listed_attributes()
    {
        var findings = fixture.Validation.Findings
            .Where(f => f.Message.Contains("Ref", StringComparison.Ordinal) || f.Message.Contains("GetAtt", StringComparison.Ordinal)
                || f.Message.Contains("Fn::Sub", StringComparison.Ordinal)).ToList();
        Assert.True(findings.Count == 0, Describe(findings));

        var references = fixture.Validation.References;
        output.WriteLine(string.Join(Environment.NewLine, references));
        Assert.Contains("Resources.UserPool.Properties.LambdaConfig.PostConfirmation -> Fn::GetAtt CreateProfileFunction.Arn", references);
        Assert.Contains("Resources.ProfileApiFunction.Properties.Policies[0].Statement[0].Resource -> Fn::GetAtt Table.Arn", references);
        Assert.Contains("Resources.HttpApi.Properties.CorsConfiguration.AllowOrigins -> Ref CorsAllowedOrigins", references);
        Assert.Contains("Outputs.ApiUrl.Value -> Fn::Sub ${AWS::URLSuffix}: Ref AWS::URLSuffix", references);
        Assert.Contains("Resources.HttpApi.Properties.Auth.Authorizers.CognitoAuthorizer.JwtConfiguration.issuer -> Fn::Sub ${UserPool}: Ref UserPool", references);
    }

    [Fact]
    public void The_whole_template_validates_against_the_spec()
    {
        var findings = fixture.Validation.Findings;
        Assert.True(findings.Count == 0, $"template.yaml does not match CloudFormation spec {fixture.Spec.Version}:{Environment.NewLine}{Describe(findings)}");
    }

    [Fact]
    public void Validation_reaches_into_nested_property_types_and_SAM_events()
    {
        var checkedPaths = fixture.Validation.Checked;
        foreach (var (path, type) in checkedPaths.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{path}: {type}");
        }
        Assert.Equal("Policies", checkedPaths["Resources.UserPool.Properties.Policies"]);
        Assert.Equal("PasswordPolicy", checkedPaths["Resources.UserPool.Properties.Policies.PasswordPolicy"]);
        Assert.Equal("Integer", checkedPaths["Resources.UserPool.Properties.Policies.PasswordPolicy.MinimumLength"]);
        Assert.Equal("Boolean", checkedPaths["Resources.UserPool.Properties.Policies.PasswordPolicy.RequireSymbols"]);
        Assert.Equal("Integer", checkedPaths["Resources.UserPool.Properties.AccountRecoverySetting.RecoveryMechanisms[0].Priority"]);
        Assert.Equal("Boolean", checkedPaths["Resources.UserPool.Properties.Schema[0].Mutable"]);
        Assert.Equal("String", checkedPaths["Resources.UserPool.Properties.LambdaConfig.PostConfirmation"]);
        Assert.Equal("Boolean", checkedPaths["Resources.Table.Properties.TimeToLiveSpecification.Enabled"]);
        Assert.Equal("String", checkedPaths["Resources.Table.Properties.KeySchema[1].KeyType"]);
        Assert.Equal("HttpApiEvent", checkedPaths["Resources.ProfileApiFunction.Properties.Events.GetMe.Properties"]);
        Assert.Equal("List<String>", checkedPaths["Resources.ProfileApiFunction.Properties.Events.GetMe.Properties.Auth.AuthorizationScopes"]);
        Assert.Equal("String", checkedPaths["Resources.ProfileApiFunction.Properties.Events.GetHealth.Properties.Auth.Authorizer"]);
        Assert.Equal("IAMPolicyDocument", checkedPaths["Resources.ProfileApiFunction.Properties.Policies[0]"]);
        Assert.Equal("CorsConfigurationObject", checkedPaths["Resources.HttpApi.Properties.CorsConfiguration"]);
        Assert.Equal("Integer", checkedPaths["Resources.HttpApi.Properties.CorsConfiguration.MaxAge"]);
        Assert.Equal("List<String>", checkedPaths["Resources.HttpApi.Properties.CorsConfiguration.AllowOrigins"]);
        Assert.Equal("String", checkedPaths["Resources.HttpApi.Properties.Auth.DefaultAuthorizer"]);
    }

    [Fact]
    public void The_spec_stops_at_Json_properties_HttpApi_Authorizers_and_IAM_statements()
    {
        var leaves = fixture.Validation.JsonLeaves;
        output.WriteLine(string.Join(Environment.NewLine, leaves));
        Assert.Contains("Resources.HttpApi.Properties.Auth.Authorizers", leaves);
        Assert.Contains("Resources.ProfileApiFunction.Properties.Policies[0].Statement", leaves);
        Assert.Contains("Resources.CreateProfileFunction.Properties.Policies[0].Statement", leaves);
        Assert.DoesNotContain(fixture.Validation.Checked.Keys, path => path.StartsWith("Resources.HttpApi.Properties.Auth.Authorizers.", StringComparison.Ordinal));
    }

    // ---------- the validator itself ----------

    [Fact]
    public void The_validator_reports_each_kind_of_error_with_its_path()
    {
        var template = Load("""
            AWSTemplateFormatVersion: "2010-09-09"
            Transform: AWS::Serverless-2016-10-31
            Parameters:
              Origins:
                Type: CommaDelimitedList
            Globals:
              Function:
                Timeout: ten
                Colour: blue
            Resources:
              UserPool:
                Type: AWS::Cognito::UserPool
                Properties:
                  Policies:
                    PasswordPolicy:
                      MinLength: 8
                      RequireLowercase: sometimes
              Table:
                Type: AWS::DynamoDB::Table
                Properties:
                  BillingMode: PAY_PER_REQUEST
                  AttributeDefinitions:
                    - AttributeName: PK
                      AttributeType: S
              Permission:
                Type: AWS::Lambda::Permission
                Properties:
                  Action: lambda:InvokeFunction
                  FunctionName: !GetAtt Fn.Arn
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: Fn
                  Description: !Ref Origins
                  Architectures: x86_64
                  Environment:
                    Variables:
                      STREAM: !GetAtt Table.StreamArnX
                      NAME: !Ref Tabel
                      URL: !Sub https://${Api}.example.com/${Table.Arn}
                  Events:
                    Get:
                      Type: HttpApi
                      Properties:
                        Path: /x
                        Method: GET
                        Verb: GET
                    Carrier:
                      Type: CarrierPigeon
                      Properties: {}
              Thing:
                Type: AWS::Nope::Thing
            """);

        var findings = fixture.Spec.Validate(template).Findings;
        output.WriteLine(string.Join(Environment.NewLine, findings));

        void Expect(string path, string message) =>
            Assert.True(findings.Any(f => f.Path == path && f.Message.Contains(message, StringComparison.Ordinal)),
                $"expected '{path}: ...{message}...' among:{Environment.NewLine}{Describe(findings)}");

        // unknown property, deep in a nested property type, with a hint
        Expect("Resources.UserPool.Properties.Policies.PasswordPolicy.MinLength", "unknown property of AWS::Cognito::UserPool.PasswordPolicy; did you mean 'MinimumLength'?");
        // wrong primitive types
        Expect("Resources.UserPool.Properties.Policies.PasswordPolicy.RequireLowercase", "expected Boolean, got String \"sometimes\"");
        Expect("Resources.Fn.Properties.Architectures", "expected List<String>, got String \"x86_64\"");
        Expect("Resources.Fn.Properties.Description", "expected String, got Ref to CommaDelimitedList parameter Origins (a list)");
        // missing required properties
        Expect("Resources.Permission.Properties.Principal", "missing required property of AWS::Lambda::Permission");
        Expect("Resources.Table.Properties.KeySchema", "missing required property of AWS::DynamoDB::Table");
        // unknown GetAtt attribute (plain and inside Fn::Sub), unknown Refs
        Expect("Resources.Fn.Properties.Environment.Variables.STREAM", "unknown attribute 'StreamArnX' of AWS::DynamoDB::Table in Fn::GetAtt Table.StreamArnX (the spec lists: Arn, StreamArn)");
        Expect("Resources.Fn.Properties.Environment.Variables.NAME", "Ref to unknown 'Tabel': no parameter, resource or pseudo parameter has that name; did you mean 'Table'?");
        Expect("Resources.Fn.Properties.Environment.Variables.URL", "Fn::Sub ${Api}: Ref to unknown 'Api'");
        // Globals, SAM events, resource types
        Expect("Globals.Function.Timeout", "expected Integer, got String \"ten\"");
        Expect("Globals.Function.Colour", "unknown property of AWS::Serverless::Function");
        Expect("Resources.Fn.Properties.Events.Get.Properties.Verb", "unknown property of AWS::Serverless::Function.HttpApiEvent");
        Expect("Resources.Fn.Properties.Events.Carrier.Type", "unknown event type 'CarrierPigeon'");
        Expect("Resources.Thing.Type", "unknown resource type 'AWS::Nope::Thing'");

        // ... and nothing else: the valid parts of the same template raise nothing.
        Assert.Equal(14, findings.Count);
    }

    [Fact]
    public void The_validator_accepts_intrinsics_where_their_result_fits_and_checks_both_branches_of_If()
    {
        var template = Load("""
            Transform: AWS::Serverless-2016-10-31
            Parameters:
              Size: { Type: Number }
              Origins: { Type: CommaDelimitedList }
            Conditions:
              Big: !Equals [!Ref Size, 1024]
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  MemorySize: !Ref Size
                  Timeout: !If [Big, 30, thirty]
                  Layers: !Split [",", !Sub "a,b"]
                  Architectures: !Sub x86_64
                  Tags: !If [Big, { size: big }, !Ref AWS::NoValue]
                  Role: !GetAtt PlainRole.Arn
                  Events:
                    Get:
                      Type: HttpApi
                      Properties: { Path: /x, Method: GET }
              Plain:
                Type: AWS::Serverless::Function
                Properties: { Handler: Plain }
              Api:
                Type: AWS::Serverless::HttpApi
                Properties:
                  CorsConfiguration: true
                  Description: !Sub "${ServerlessHttpApi} ${!NotARef} ${Fn.Arn}"
            """);

        var findings = fixture.Spec.Validate(template).Findings;
        output.WriteLine(string.Join(Environment.NewLine, findings));

        Assert.Collection(findings.OrderBy(f => f.Path, StringComparer.Ordinal),
            f => Assert.Equal("Resources.Fn.Properties.Architectures: expected List<String>, got Fn::Sub (a single value)", f.ToString()),
            f => Assert.Equal("Resources.Fn.Properties.Timeout: expected Integer, got String \"thirty\"", f.ToString()));
    }
}
