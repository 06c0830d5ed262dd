// The local SageMaker real-time endpoint (see ModelServerApp, InvokeEndpoint, Faults).
//
//   Serverless.ModelServer [--urls http://127.0.0.1:8080] [--ModelServer:Endpoints=name[,name]]
//                          --ModelServer:LexiconPath=file
//       serves; prints "READY http://127.0.0.1:<port>" on stdout once it listens (port 0 picks a free one).
//   Serverless.ModelServer --bench [count] --ModelServer:LexiconPath=file
//       scores count (100000) short texts in-process and prints texts/s.
using System.Diagnostics;
using System.Globalization;
using Serverless.ModelServer;
using Serverless.ModelServer.Vader;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine("""
        Serverless.ModelServer: the local SageMaker endpoint (VADER sentiment, Hugging Face text-classification contract).
          [--urls http://127.0.0.1:8080] [--ModelServer:Endpoints=a,b] [--ModelServer:Variant=AllTraffic]
          [--ModelServer:AccountId=000000000000] [--ModelServer:Region=us-east-1]
          --ModelServer:LexiconPath=vader_lexicon.txt  (installed by the local cloud: infra/Local's EmulatorInstaller)
          --bench [count]                          score count short texts in-process, print texts/s
        Routes: POST /endpoints/{name}/invocations, GET /ping, GET|POST|DELETE /_faults.
        """);
    return 0;
}

var benchIndex = Array.IndexOf(args, "--bench");
if (benchIndex >= 0)
{
    var hasCount = benchIndex + 1 < args.Length && int.TryParse(args[benchIndex + 1], CultureInfo.InvariantCulture, out int _);
    var count = hasCount ? int.Parse(args[benchIndex + 1], CultureInfo.InvariantCulture) : 100_000;
    var rest = args.Where((_, i) => i != benchIndex && !(hasCount && i == benchIndex + 1)).ToArray();
    var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(rest).Build();
    var lexicon = Lexicon.Load(ModelServerApp.LexiconPath(configuration));
    Bench.Run(new SentimentAnalyzer(lexicon), count);
    return 0;
}

await using var app = ModelServerApp.Create(args);
await app.StartAsync();
foreach (var address in ModelServerApp.Addresses(app))
{
    Console.WriteLine($"READY {address}");
}
await app.WaitForShutdownAsync();
return 0;

/// <summary>In-process throughput of the model alone (no HTTP).</summary>
internal static class Bench
{
    public static void Run(SentimentAnalyzer analyzer, int count)
    {
        var texts = MakeTexts(count);
        var averageLength = texts.Average(text => text.Length);
        for (var round = 0; round < 2; round++)
        {
            foreach (var text in texts)
            {
                analyzer.Classify(text); // warm up: let the JIT reach its optimised tier
            }
        }

        var labels = new Dictionary<string, int>();
        var clock = Stopwatch.StartNew();
        foreach (var text in texts)
        {
            var label = analyzer.Classify(text).Label;
            labels[label] = labels.GetValueOrDefault(label) + 1;
        }
        clock.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"1 thread: scored {count} texts (avg {averageLength:0} chars) in {clock.Elapsed.TotalMilliseconds:0} ms" +
            $" = {count / clock.Elapsed.TotalSeconds:0} texts/s"));
        Console.WriteLine("labels: " + string.Join(", ", labels.OrderBy(pair => pair.Key).Select(pair => $"{pair.Key} {pair.Value}")));

        clock.Restart();
        Parallel.ForEach(texts, text => analyzer.Classify(text));
        clock.Stop();
        Console.WriteLine(FormattableString.Invariant(
            $"{Environment.ProcessorCount} threads: {count / clock.Elapsed.TotalSeconds:0} texts/s"));
    }

    // Review-like sentences built from a fixed seed: sentiment words, negations, boosters, "but", caps, punctuation.
    private static List<string> MakeTexts(int count)
    {
        string[] subjects = ["The product", "This phone", "Customer support", "The delivery", "My order", "The app",
            "Their service", "The battery"];
        string[] verbs = ["was", "is", "seemed", "has been", "felt"];
        string[] modifiers = ["", "", "very ", "not ", "really ", "kind of ", "extremely ", "never so ", "somewhat ", "NOT "];
        string[] adjectives =
            ["good", "great", "terrible", "bad", "okay", "amazing", "slow", "broken", "fine", "AWESOME",
            "disappointing", "fast", "horrible", "nice", "useless"];
        string[] tails = ["", "", ".", "!", "!!", "?", " but the price was fair.", " and I love it :)", ", would not recommend.", " lol"];
        var random = new Random(20140601);
        var texts = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            texts.Add($"{Pick(subjects)} {Pick(verbs)} {Pick(modifiers)}{Pick(adjectives)}{Pick(tails)}");
        }
        return texts;

        string Pick(string[] options) => options[random.Next(options.Length)];
    }
}
