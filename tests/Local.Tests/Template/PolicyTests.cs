using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Serverless.Local.Tests.Template;

/// <summary>
/// Least privilege, proven from template and code: every AWS action a function's code performs (<see cref="AwsActions"/>, over
/// the code its handler reaches) is allowed by a statement of that function's policies, and no statement allows a wildcard
/// resource. Policies are inline documents (<c>Version</c> + <c>Statement</c>), so the check can read every action.
/// </summary>
public sealed partial class PolicyTests(TemplateInvariantsFixture fixture) : IClassFixture<TemplateInvariantsFixture>
{
    private FunctionSources Sources => fixture.Sources;

    [Theory]
    [MemberData(nameof(TemplateInvariantsFixture.Functions), MemberType = typeof(TemplateInvariantsFixture))]
    public void Every_action_the_code_performs_is_allowed(string function)
    {
        var allowed = Statements(function).Where(statement => statement["Effect"]?.GetValue<string>() == "Allow")
            .SelectMany(statement => Strings(statement["Action"])).ToHashSet();

        var missing = Performed(function)
            .Where(performed => !allowed.Contains(performed.Action))
            .Select(performed =>
                $"{function}: {performed.File} performs {performed.Action} ({performed.Call}),"
                    + $" which no Allow statement of {function}'s Policies grants")
            .Distinct()
            .ToList();

        Assert.True(missing.Count == 0, string.Join(Environment.NewLine, missing));
    }

    [Theory]
    [MemberData(nameof(TemplateInvariantsFixture.Functions), MemberType = typeof(TemplateInvariantsFixture))]
    public void Policies_are_inline_statements_without_wildcard_resources(string function)
    {
        var problems = new List<string>();
        var policies = Sources.Template.FunctionProperties(function)["Policies"];
        foreach (var policy in policies as JsonArray ?? (policies is null ? [] : [policies.DeepClone()]))
            if (policy is not JsonObject document || document["Statement"] is null)
                problems.Add($"{function}: policy {policy?.ToJsonString()} is not an inline document with a Statement"
                    + " (managed policies and SAM policy templates cannot be checked here)");
        foreach (var statement in Statements(function))
        {
            if (statement["Resource"] is null)
                problems.Add($"{function}: statement {statement.ToJsonString()} has no Resource");
            foreach (var resource in Resources(statement["Resource"]).Where(IsWildcard))
                problems.Add(
                    $"{function}: statement allowing {string.Join(", ", Strings(statement["Action"]))}"
                        + $" has the wildcard resource {resource}");
            if (statement["NotResource"] is not null || statement["NotAction"] is not null)
                problems.Add($"{function}: statement {statement.ToJsonString()} uses NotResource/NotAction");
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    /// <summary>Actions IAM authorizes on <c>*</c> only (no resource-level permission), where <c>*</c> is the only
    /// resource a statement can name.</summary>
    private static readonly HashSet<string> ActionsWithoutResourceLevelPermission = ["ecr:GetAuthorizationToken"];

    [Fact]
    public void The_templates_roles_allow_no_wildcard_resource_but_for_actions_without_resource_level_permission()
    {
        var roles = Sources.Template.Resources.Where(resource => resource.Value?["Type"]?.GetValue<string>() == "AWS::IAM::Role")
            .ToList();
        var problems = (
            from role in roles
            from policy in role.Value!["Properties"]?["Policies"]?.AsArray() ?? []
            from statement in policy!["PolicyDocument"]!["Statement"]!.AsArray().OfType<JsonObject>()
            from resource in Resources(statement["Resource"]).Where(IsWildcard)
            where !Strings(statement["Action"]).All(ActionsWithoutResourceLevelPermission.Contains)
            select $"{role.Key}: statement allowing {string.Join(", ", Strings(statement["Action"]))} has the wildcard resource {resource}")
            .ToList();

        Assert.NotEmpty(roles);
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Actions_are_found_in_the_code_the_handler_reaches_and_wildcards_are_recognised()
    {
        Assert.Contains(Performed("CreateProfileFunction"), performed =>
            performed is { Action: "dynamodb:PutItem", File: "functions/Profile/Profiles.cs" });
        Assert.Contains(Performed("PurgeAccountFunction"), performed => performed.Action == "cognito-idp:AdminDeleteUser");
        Assert.DoesNotContain(Performed("CreateProfileFunction"), performed => performed.Action == "cognito-idp:AdminDeleteUser");
        Assert.Equal([("s3:PutObject", "GetPreSignedURLAsync (HttpVerb.PUT)")],
            AwsActions.Of("await s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest { Verb = HttpVerb.PUT });"));
        Assert.True(IsWildcard("*"));
        Assert.True(IsWildcard("arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*"));
        Assert.True(IsWildcard("arn:aws:sagemaker:*:123456789012:endpoint/sentiment"));
        Assert.False(IsWildcard("arn:${AWS::Partition}:s3:::${AWS::StackName}-files-${AWS::AccountId}-${AWS::Region}/uploads/*"));
        Assert.False(IsWildcard("arn:${AWS::Partition}:sagemaker:${AWS::Region}:${AWS::AccountId}:endpoint/${ModelEndpointName}"));
        Assert.Equal(["*", "arn:aws:logs:r:a:log-group:/aws/x-*:*"], Resources(JsonNode.Parse("""
            {"Fn::If": ["C", "*", {"Fn::Sub": ["arn:aws:logs:r:a:log-group:${Group}:*", {"Group": {"Fn::Sub": "/aws/x-*"}}]}]}
            """)));
    }

    private List<(string Action, string Call, string File)> Performed(string function) =>
        Sources.ReachableMembers(function)
            .SelectMany(member => AwsActions.Of(member.Code).Select(performed =>
                (performed.Action, performed.Call, Sources.Relative(member.File))))
            .ToList();

    private List<JsonObject> Statements(string function)
    {
        var policies = Sources.Template.FunctionProperties(function)["Policies"];
        return (policies as JsonArray ?? (policies is null ? [] : [policies.DeepClone()]))
            .SelectMany(policy => policy?["Statement"] switch
            {
                JsonArray statements => statements.OfType<JsonObject>(),
                JsonObject statement => [statement],
                _ => [],
            })
            .ToList();
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonArray items => items.Select(item => item!.ToString()),
        null => [],
        _ => [node.ToString()],
    };

    /// <summary>A resource as written: a string, or the text of <c>Fn::Sub</c> (its variables written in), either branch of
    /// <c>Fn::If</c>; a <c>Ref</c> or <c>Fn::GetAtt</c> names one resource.</summary>
    private static IEnumerable<string> Resources(JsonNode? node) => node switch
    {
        JsonArray items => items.SelectMany(Resources),
        JsonObject sub when sub["Fn::Sub"] is JsonArray withVariables => [withVariables[1]!.AsObject().Aggregate(
            withVariables[0]!.ToString(), (text, variable) => text.Replace("${" + variable.Key + "}",
                Resources(variable.Value).FirstOrDefault() ?? "${" + variable.Key + "}", StringComparison.Ordinal))],
        JsonObject sub when sub["Fn::Sub"] is { } text => [text.ToString()],
        JsonObject condition when condition["Fn::If"] is JsonArray branches => Resources(branches[1]).Concat(Resources(branches[2])),
        JsonObject => [],
        null => [],
        _ => [node.ToString()],
    };

    /// <summary><c>*</c>, or an ARN with any region or account, or whose resource is <c>*</c> or a whole type (<c>table/*</c>);
    /// an S3 object ARN under a named bucket (<c>bucket/uploads/*</c>) is scoped.</summary>
    private static bool IsWildcard(string resource)
    {
        if (resource.Trim() == "*") return true;
        var parts = Placeholder().Replace(resource, "X").Split(':', 6);
        if (parts.Length < 6) return resource.Contains('*', StringComparison.Ordinal);
        var (service, region, account, name) = (parts[2], parts[3], parts[4], parts[5]);
        return region.Contains('*', StringComparison.Ordinal) || account.Contains('*', StringComparison.Ordinal) || name == "*"
            || (service != "s3" && WholeType().IsMatch(name)) || (service == "s3" && name.StartsWith('*'));
    }

    [GeneratedRegex(@"\$\{[^}]+\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^[\w-]+[/:]\*$")]
    private static partial Regex WholeType();
}
