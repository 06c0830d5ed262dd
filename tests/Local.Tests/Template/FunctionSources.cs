using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Serverless.Local.Gateway;
using Serverless.Local.Template;

namespace Serverless.Local.Tests.Template;

/// <summary>
/// The C# code each function of template.yaml runs, found from the template and the code alone. The function starts in the
/// file declaring the type its <c>Handler</c> names (registered as <c>[nameof(Type)]</c> in Program.cs); files reach files
/// through the types and static methods they mention (comments, strings, usings and namespaces left out); within those
/// files, members reach the members they name (a name declared in the same file first), from every member of the handler's
/// file. So a store class shared by two functions counts, for each, only the methods that function calls.
/// </summary>
public sealed partial class FunctionSources
{
    private readonly Dictionary<string, SourceFile> files;

    private FunctionSources(string repoRoot, SamTemplate template)
    {
        RepoRoot = repoRoot;
        Template = template;
        files = Directory.EnumerateFiles(Path.Combine(repoRoot, "functions"), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .ToDictionary(path => path, path => new SourceFile(path, File.ReadAllText(path)));
        var declaredBy = files.Values
            .SelectMany(file => file.Declared.Select(name => (name, file)))
            .GroupBy(pair => pair.name)
            .Where(group => group.Count() == 1) // a name declared twice (HandleAsync, AddServices) says nothing about which file
            .ToDictionary(group => group.Key, group => group.Single().file);
        foreach (var file in files.Values)
            file.Mentions = Identifier().Matches(file.Code).Select(match => match.Value).Distinct()
                .Select(name => declaredBy.GetValueOrDefault(name)).OfType<SourceFile>().Where(other => other != file).ToList();
    }

    public string RepoRoot { get; }
    public SamTemplate Template { get; }

    public static FunctionSources Load(string repoRoot) => new(repoRoot, SamTemplate.Load(Path.Combine(repoRoot, "template.yaml")));

    public IEnumerable<string> Functions => Template.ResourcesOfType("AWS::Serverless::Function").Select(function => function.LogicalId);

    public string Handler(string logicalId) => Template.FunctionProperties(logicalId)["Handler"]!.GetValue<string>();

    public string PackageDirectory(string logicalId) =>
        Path.Combine(RepoRoot, Template.FunctionProperties(logicalId)["CodeUri"]!.GetValue<string>());

    /// <summary>The function's HttpApi events: the route as <c>METHOD /path</c> and the event's <c>Auth</c> (null when
    /// it has none).</summary>
    public IEnumerable<(string Route, JsonNode? Auth)> HttpApiEvents(string logicalId) =>
        from trigger in Template.FunctionEvents("HttpApi")
        where trigger.LogicalId == logicalId
        select (HttpApiRoute.From(trigger.Properties, logicalId, defaultAuthorizer: null).RouteKey, trigger.Properties["Auth"]);

    /// <summary>The files that declare <paramref name="typeName"/> in the function's package (its own project only).</summary>
    public IReadOnlyList<SourceFile> Declaring(string logicalId, string typeName) =>
        files.Values.Where(file => file.Path.StartsWith(PackageDirectory(logicalId) + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            && file.Types.Contains(typeName)).ToList();

    /// <summary>
    /// Every file the function's handler reaches within what its package compiles (its project and the projects it references);
    /// empty when no file of its package declares the handler type.
    /// </summary>
    public IReadOnlyCollection<SourceFile> Reachable(string logicalId)
    {
        var compiled = ProjectDirectories(PackageDirectory(logicalId));
        var seen = new HashSet<SourceFile>();
        var pending = new Stack<SourceFile>(Declaring(logicalId, Handler(logicalId)));
        while (pending.TryPop(out var file))
            if (seen.Add(file))
                foreach (var next in file.Mentions.Where(other =>
                    compiled.Any(directory => other.Path.StartsWith(directory, StringComparison.Ordinal))))
                    pending.Push(next);
        return seen;
    }

    /// <summary>The folders of the project in <paramref name="directory"/> and of every project it references, each
    /// ending in a separator.</summary>
    private static HashSet<string> ProjectDirectories(string directory)
    {
        var found = new HashSet<string>();
        var pending = new Stack<string>([Path.GetFullPath(directory)]);
        while (pending.TryPop(out var next))
        {
            if (!found.Add(next.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar)) continue;
            // The group's own csproj and the references every group gets from functions/Directory.Build.props.
            var shared = Path.Combine(next, "..", "Directory.Build.props");
            foreach (var project in Directory.EnumerateFiles(next, "*.csproj").Append(shared).Where(File.Exists))
                foreach (Match reference in ProjectReference().Matches(File.ReadAllText(project)))
                    pending.Push(Path.GetDirectoryName(Path.GetFullPath(Path.Combine(next,
                        reference.Groups[1].Value.Replace('\\', '/'))))!);
        }
        return found;
    }

    /// <summary>Every member (method, property, constructor) the function's handler reaches, within <see cref="Reachable"/>.</summary>
    public IReadOnlyCollection<SourceMember> ReachableMembers(string logicalId)
    {
        var files = Reachable(logicalId);
        var byName = files.SelectMany(file => file.Members).ToLookup(member => member.Name);
        var seen = new HashSet<SourceMember>();
        var pending = new Stack<SourceMember>(Declaring(logicalId, Handler(logicalId)).SelectMany(file => file.Members));
        while (pending.TryPop(out var member))
        {
            if (!seen.Add(member)) continue;
            foreach (var (type, name) in QualifiedIdentifier().Matches(member.Code).Select(match =>
                (match.Groups["type"].Value, match.Groups["name"].Value)).Distinct())
            {
                // Type.Member names the member of that type when a reachable file declares the type; else any member so named.
                var qualified = byName[name].Where(other => other.File.Types.Contains(type)).ToList();
                var sameFile = member.File.Members.Where(other => other.Name == name).ToList();
                foreach (var next in qualified.Count > 0 ? qualified : sameFile.Count > 0 ? sameFile : byName[name]) pending.Push(next);
            }
        }
        return seen;
    }

    public string Relative(SourceFile file) => Path.GetRelativePath(RepoRoot, file.Path);

    /// <summary>One C# file: its text, the text with comments, strings, usings and namespace lines blanked (same offsets), what it
    /// declares, and its members.</summary>
    public sealed class SourceFile
    {
        public SourceFile(string path, string text)
        {
            Path = path;
            Text = text;
            Code = Noise().Replace(text, match => new string(' ', match.Length));
            Types = TypeDeclaration().Matches(Code).Select(match => match.Groups[1].Value).ToHashSet();
            Declared = [.. Types, .. StaticMethod().Matches(Code).Select(match => match.Groups[1].Value)];
            Members = MemberDeclaration().Matches(Code)
                .Where(match => !IsTypeDeclaration(match.Index)
                    && !Code[Math.Max(0, match.Index - 10)..match.Index].TrimEnd().EndsWith("new", StringComparison.Ordinal))
                .Select(match => new SourceMember(this, match.Groups["name"].Value, match.Index, BodyEnd(match.Groups["open"].Index)))
                .ToList();
        }

        public IReadOnlyList<SourceMember> Members { get; }

        private bool IsTypeDeclaration(int index) => TypeKeyword().IsMatch(Code[Math.Max(0, index - 40)..index]);

        /// <summary>The end of a body opened at <paramref name="open"/> by <c>{</c> (its matching brace) or
        /// <c>=&gt;</c> (the <c>;</c> that ends it).</summary>
        private int BodyEnd(int open)
        {
            var depth = 0;
            for (var i = open; i < Code.Length; i++)
            {
                switch (Code[i])
                {
                    case '{' or '(' or '[':
                        depth++;
                        break;
                    case '}' or ')' or ']':
                        if (--depth == 0 && Code[open] == '{') return i + 1;
                        break;
                    case ';' when depth == 0:
                        return i + 1;
                }
            }
            return Code.Length;
        }

        public string Path { get; }
        public string Text { get; }
        public string Code { get; }
        public IReadOnlySet<string> Types { get; }
        public IReadOnlyList<string> Declared { get; }
        public IReadOnlyList<SourceFile> Mentions { get; internal set; } = [];

        public override string ToString() => Path;
    }

    /// <summary>A method, constructor or property of the code: its name and its body (text and code).</summary>
    public sealed record SourceMember(SourceFile File, string Name, int Start, int End)
    {
        public string Text => File.Text[Start..End];
        public string Code => File.Code[Start..End];

        public override string ToString() => $"{File.Path}: {Name}";
    }

    /// <summary><c>Name(...) {</c>, <c>Name(...) =&gt;</c>, <c>Name&lt;T&gt;(...) where ... {</c>, <c>Name =&gt;</c>,
    /// <c>Name { get</c>.</summary>
    [GeneratedRegex(@"\b(?<name>[A-Z]\w*)\s*(?:<[^<>()]*>)?\s*(?:\((?:[^()]|\([^()]*\))*\)\s*(?:where\s[^{=;]*)?(?<open>\{|=>)"
        + @"|(?<open>=>)|(?<open>\{)(?=\s*(?:get|set|init)\b))")]
    private static partial Regex MemberDeclaration();

    [GeneratedRegex(@"\b(?:class|record|struct|interface|enum)\s+(?:struct\s+|class\s+)?$")]
    private static partial Regex TypeKeyword();

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/|@?\$*""""""[\s\S]*?""""""|@?\$?""(?:\\.|[^""\\\n])*""|^\s*(?:using|namespace)\s[^;{]*;",
        RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Noise();

    [GeneratedRegex(@"\b(?:class|record|struct|interface|enum)\s+(?:struct\s+|class\s+)?([A-Z]\w*)")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"\bstatic\s+(?:async\s+)?[\w<>\[\],.?\s()]+?\s([A-Z]\w*)\s*(?:<[^>]*>)?\s*\(")]
    private static partial Regex StaticMethod();

    [GeneratedRegex(@"\b[A-Z]\w*\b")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"\b(?:(?<type>[A-Z]\w*)\s*\.\s*)?(?<name>[A-Z]\w*)\b")]
    private static partial Regex QualifiedIdentifier();

    [GeneratedRegex(@"<ProjectReference\s+Include=""([^""]+)""")]
    private static partial Regex ProjectReference();
}
