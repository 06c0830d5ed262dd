using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Serverless.Local.Template;
using Serverless.Local.Tests.Emulators;
using Xunit.Abstractions;

namespace Serverless.Local.Tests.Pipeline;

/// <summary>
/// .github/workflows: CI runs the README's test command on every push and pull request; Deploy deploys with SAM as a
/// role assumed through GitHub's OIDC provider, never with stored keys. Both pass actionlint (<see cref="WorkflowLinter"/>).
/// </summary>
public sealed partial class WorkflowTests(ITestOutputHelper output)
{
    private static readonly string Workflows = Path.Combine(EmulatorTestPaths.RepoRoot, ".github", "workflows");
    private static readonly JsonObject Ci = Load("ci.yml");
    private static readonly JsonObject Deploy = Load("deploy.yml");

    /// <summary>The workflow as JSON (YAML 1.2 keys: <c>on</c> stays the string "on").</summary>
    private static JsonObject Load(string name) => SamTemplate.Load(Path.Combine(Workflows, name)).Root;

    private static IEnumerable<JsonObject> Steps(JsonObject workflow) =>
        from job in workflow["jobs"]!.AsObject()
        from step in job.Value!["steps"]!.AsArray()
        select step!.AsObject();

    private static IEnumerable<(string Action, JsonObject Step)> Uses(JsonObject workflow) =>
        from step in Steps(workflow)
        where step["uses"] is not null
        select (step["uses"]!.GetValue<string>(), step);

    // ---------- both ----------

    [Fact]
    public void The_workflows_are_the_two_expected_and_each_parses_with_jobs_and_triggers()
    {
        Assert.Equal(["ci.yml", "deploy.yml"], Directory.GetFiles(Workflows).Select(Path.GetFileName).Order());
        foreach (var workflow in new[] { Ci, Deploy })
        {
            Assert.NotNull(workflow["on"]);
            Assert.NotEmpty(workflow["jobs"]!.AsObject());
            Assert.All(workflow["jobs"]!.AsObject(), job => Assert.NotEmpty(job.Value!["steps"]!.AsArray()));
        }
    }

    [Fact]
    public async Task The_workflows_pass_actionlint()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var linter = await WorkflowLinter.InstallAsync(EmulatorTestPaths.Cache, output.WriteLine, timeout.Token);
        var files = Directory.GetFiles(Workflows);

        var results = await WorkflowLinter.LintAsync(linter, files, timeout.Token);

        Assert.Equal(files.Order(), results.Keys.Order());
        Assert.All(results, result => Assert.True(result.Value.Count == 0,
            $"{Path.GetFileName(result.Key)}:{Environment.NewLine}{string.Join(Environment.NewLine, result.Value)}"));
    }

    [Fact]
    public async Task Actionlint_reports_what_is_wrong_in_a_workflow()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var linter = await WorkflowLinter.InstallAsync(EmulatorTestPaths.Cache, output.WriteLine, timeout.Token);
        var file = Path.Combine(EmulatorTestPaths.NewScratchDirectory("actionlint"), "broken.yml");
        File.WriteAllText(file, """
            on: push
            permissions:
              id-token: writ
            jobs:
              test:
                runs-on: ubuntu-latest
                steps:
                  - uses: actions/checkout@v4
                    with:
                      reff: main
                  - run: echo ${{ github.event.workflow_run.head_sha }
            """);
        try
        {
            var findings = (await WorkflowLinter.LintAsync(linter, [file], timeout.Token))[file];

            Assert.Contains(findings, f => f.Line == 3 && f.Message.Contains("writ", StringComparison.Ordinal));
            Assert.Contains(findings, f => f.Line == 10 && f.Message.Contains("reff", StringComparison.Ordinal));
            Assert.Contains(findings, f => f.Line == 11 && f.Kind == "expression");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    [Fact]
    public void Every_action_is_pinned_to_a_major_version_or_a_commit()
    {
        var actions = Uses(Ci).Concat(Uses(Deploy)).Select(use => use.Action).ToList();
        Assert.NotEmpty(actions);
        Assert.All(actions, action => Assert.Matches(@"^[\w.-]+/[\w.-]+@(v\d+|[0-9a-f]{40})$", action));
    }

    [Fact]
    public void Every_workflow_defaults_to_reading_the_repository_only()
    {
        foreach (var workflow in new[] { Ci, Deploy })
        {
            Assert.Equal("""{"contents":"read"}""", workflow["permissions"]!.ToJsonString());
        }
    }

    [Fact]
    public void No_workflow_uses_stored_aws_keys()
    {
        foreach (var name in new[] { "ci.yml", "deploy.yml" })
        {
            var text = File.ReadAllText(Path.Combine(Workflows, name));
            Assert.DoesNotContain("aws-access-key-id", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("aws-secret-access-key", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("AWS_ACCESS_KEY_ID", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("AWS_SECRET_ACCESS_KEY", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("AWS_SESSION_TOKEN", text, StringComparison.OrdinalIgnoreCase);
            // The only secret a workflow reads is GitHub's own token.
            Assert.All(SecretReference().Matches(text), reference => Assert.Equal("GITHUB_TOKEN", reference.Groups[1].Value));
        }
    }

    [Fact]
    public void No_run_step_pastes_an_expression_into_its_shell()
    {
        // An expression is substituted into the script before the shell reads it, so a value with quotes or $(...) would
        // run as code: values reach the shell as environment variables instead.
        var runs = Steps(Ci).Concat(Steps(Deploy)).Select(step => step["run"]?.GetValue<string>()).OfType<string>().ToList();
        Assert.NotEmpty(runs);
        Assert.All(runs, run => Assert.DoesNotContain("${{", run, StringComparison.Ordinal));
    }

    // ---------- CI ----------

    /// <summary>The command README.md's "The two commands" gives for the tests, read from its code block.</summary>
    private static string ReadmeTestCommand()
    {
        var readme = File.ReadAllText(Path.Combine(EmulatorTestPaths.RepoRoot, "README.md"));
        var block = ReadmeCommands().Match(readme);
        Assert.True(block.Success, "README.md has no '## The two commands' section with a bash block");
        var commands = block.Groups["block"].Value.Split('\n')
            .Select(line => line.Split('#', 2)[0].Trim())
            .Where(command => command.Contains(" test", StringComparison.Ordinal))
            .ToList();
        return Assert.Single(commands);
    }

    [Fact]
    public void Ci_runs_exactly_the_readme_test_command()
    {
        var command = ReadmeTestCommand();
        Assert.Equal("dotnet test", command);

        var runs = Steps(Ci).Where(step => step["run"] is not null).Select(step => step["run"]!.GetValue<string>().Trim()).ToList();
        Assert.Single(runs, run => run == command);
        // Nothing else runs tests, builds or restores: the command does all of it, as on a developer's machine.
        Assert.DoesNotContain(runs, run => run != command && run.Contains("dotnet", StringComparison.Ordinal));
        Assert.Equal(command, File.ReadAllLines(Path.Combine(EmulatorTestPaths.RepoRoot, ".ci", "run")).Last(line => line.Length > 0));
    }

    [Fact]
    public void Ci_runs_on_every_push_and_pull_request_within_90_minutes_and_keeps_only_the_newest_run()
    {
        var on = Ci["on"]!.AsObject();
        Assert.Equal(["pull_request", "push"], on.Select(trigger => trigger.Key).Order());
        Assert.All(on, trigger => Assert.Null(trigger.Value));
        Assert.True(Ci["concurrency"]!["cancel-in-progress"]!.GetValue<bool>());
        Assert.Contains("github.ref", Ci["concurrency"]!["group"]!.GetValue<string>(), StringComparison.Ordinal);
        var job = Assert.Single(Ci["jobs"]!.AsObject()).Value!;
        Assert.InRange(job["timeout-minutes"]!.GetValue<int>(), 1, 90);
        Assert.Equal("ubuntu-latest", job["runs-on"]!.GetValue<string>());
    }

    [Fact]
    public void Ci_sets_up_the_readme_prerequisites()
    {
        var uses = Uses(Ci).Where(use => use.Action.StartsWith("actions/setup-", StringComparison.Ordinal))
            .ToDictionary(use => use.Action.Split('@')[0], use => use.Step["with"]?.AsObject());
        Assert.Equal("10.0.x", uses["actions/setup-dotnet"]!["dotnet-version"]!.GetValue<string>());
        Assert.Equal(20, uses["actions/setup-node"]!["node-version"]!.GetValue<int>());
        Assert.Equal("temurin", uses["actions/setup-java"]!["distribution"]!.GetValue<string>());
        Assert.Equal(17, uses["actions/setup-java"]!["java-version"]!.GetValue<int>());
    }

    [Fact]
    public void Ci_uploads_the_test_results_even_when_tests_fail()
    {
        var job = Ci["jobs"]!.AsObject().Single().Value!;
        Assert.Equal("trx", job["env"]!["VSTestLogger"]!.GetValue<string>());
        var upload = Uses(Ci).Single(use => use.Action.StartsWith("actions/upload-artifact@", StringComparison.Ordinal)).Step;
        Assert.Equal("${{ !cancelled() }}", upload["if"]!.GetValue<string>());
        Assert.EndsWith("TestResults/*.trx", upload["with"]!["path"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    // ---------- Deploy ----------

    private static JsonObject DeployJob => Assert.Single(Deploy["jobs"]!.AsObject()).Value!.AsObject();

    private static JsonObject DeployStep =>
        Steps(Deploy).Single(step => step["run"]?.GetValue<string>().StartsWith("sam deploy", StringComparison.Ordinal) == true);

    [Fact]
    public void Deploy_assumes_a_role_through_github_oidc()
    {
        var job = DeployJob;
        Assert.Equal("write", job["permissions"]!["id-token"]!.GetValue<string>());
        Assert.Equal("read", job["permissions"]!["contents"]!.GetValue<string>());
        var credentials = Uses(Deploy).Single(use => use.Action.StartsWith("aws-actions/configure-aws-credentials@",
            StringComparison.Ordinal)).Step["with"]!.AsObject();
        Assert.Equal("${{ vars.DEPLOY_ROLE_ARN }}", credentials["role-to-assume"]!.GetValue<string>());
        Assert.Equal(["aws-region", "role-session-name", "role-to-assume"], credentials.Select(input => input.Key).Order());
    }

    [Fact]
    public void Deploy_runs_dev_from_main_after_ci_passed_and_prod_from_a_release_in_their_environments()
    {
        var on = Deploy["on"]!.AsObject();
        Assert.Equal(["release", "workflow_run"], on.Select(trigger => trigger.Key).Order());
        Assert.Equal("""["CI"]""", on["workflow_run"]!["workflows"]!.ToJsonString());
        Assert.Equal("CI", Ci["name"]!.GetValue<string>());
        Assert.Equal("""["main"]""", on["workflow_run"]!["branches"]!.ToJsonString());
        Assert.Equal("""["published"]""", on["release"]!["types"]!.ToJsonString());

        var job = DeployJob;
        var condition = job["if"]!.GetValue<string>();
        Assert.Contains("github.event.workflow_run.conclusion == 'success'", condition, StringComparison.Ordinal);
        Assert.Contains("github.event.workflow_run.event == 'push'", condition, StringComparison.Ordinal);
        Assert.Equal("${{ github.event_name == 'release' && 'prod' || 'dev' }}", job["environment"]!.GetValue<string>());
        // The commit CI tested, not main's head when the deploy starts.
        Assert.Equal("${{ github.event.workflow_run.head_sha || github.sha }}",
            Uses(Deploy).Single(use => use.Action.StartsWith("actions/checkout@", StringComparison.Ordinal)).Step["with"]!["ref"]!
                .GetValue<string>());
        Assert.False(Deploy["concurrency"]!["cancel-in-progress"]!.GetValue<bool>());
    }

    [Fact]
    public void Deploy_builds_and_deploys_each_environment_with_its_samconfig_section_and_the_pipeline_roles()
    {
        Assert.Equal("${{ github.event_name == 'release' && 'prod' || 'default' }}", DeployJob["env"]!["CONFIG_ENV"]!.GetValue<string>());
        var config = File.ReadAllText(Path.Combine(EmulatorTestPaths.RepoRoot, "samconfig.toml"));
        foreach (var section in new[] { "default", "prod" })
        {
            // The workflow's region is the one samconfig.toml deploys to, and samconfig must not also ask SAM for its own
            // bucket: sam deploy refuses --s3-bucket together with resolve_s3.
            var body = Regex.Match(config, $@"\[{section}\.deploy\.parameters\](?<body>[^\[]*)").Groups["body"].Value;
            Assert.Contains($"region = \"{Deploy["env"]!["AWS_REGION"]}\"", body, StringComparison.Ordinal);
            Assert.DoesNotContain("resolve_s3", body, StringComparison.Ordinal);
        }

        Assert.Contains(Steps(Deploy), step => step["run"]?.GetValue<string>() == "sam build --config-env \"$CONFIG_ENV\"");
        var deploy = DeployStep;
        Assert.Equal(
            "sam deploy --config-env \"$CONFIG_ENV\" --no-confirm-changeset --no-fail-on-empty-changeset"
                + " --s3-bucket \"$ARTIFACTS_BUCKET\" --role-arn \"$EXECUTION_ROLE_ARN\"",
            deploy["run"]!.GetValue<string>());
        Assert.Equal("${{ vars.ARTIFACTS_BUCKET }}", deploy["env"]!["ARTIFACTS_BUCKET"]!.GetValue<string>());
        Assert.Equal("${{ vars.CLOUDFORMATION_EXECUTION_ROLE_ARN }}", deploy["env"]!["EXECUTION_ROLE_ARN"]!.GetValue<string>());
        Assert.Contains(Uses(Deploy), use => use.Action.StartsWith("aws-actions/setup-sam@", StringComparison.Ordinal));
    }

    [Fact]
    public void The_variables_the_deploy_reads_are_the_pipeline_stack_outputs_the_readme_names()
    {
        var text = File.ReadAllText(Path.Combine(Workflows, "deploy.yml"));
        var variables = VariableReference().Matches(text).Select(match => match.Groups[1].Value).ToHashSet();
        Assert.Equal(["ARTIFACTS_BUCKET", "CLOUDFORMATION_EXECUTION_ROLE_ARN", "DEPLOY_ROLE_ARN"], variables.Order());
        var outputs = SamTemplate.Load(Path.Combine(EmulatorTestPaths.RepoRoot, "infra", "pipeline.yaml")).Outputs;
        var readme = File.ReadAllText(Path.Combine(EmulatorTestPaths.RepoRoot, "README.md"));
        foreach (var variable in variables)
        {
            Assert.Contains(outputs, output =>
                output.Value!["Description"]!.GetValue<string>().Contains(variable, StringComparison.Ordinal));
            Assert.Contains(variable, readme, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"## The two commands[^#]*?```bash\n(?<block>.*?)```", RegexOptions.Singleline)]
    private static partial Regex ReadmeCommands();

    [GeneratedRegex(@"secrets\.(\w+)")]
    private static partial Regex SecretReference();

    [GeneratedRegex(@"vars\.(\w+)")]
    private static partial Regex VariableReference();
}
