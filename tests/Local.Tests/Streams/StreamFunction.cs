using System.Text.Json;
using Serverless.Local.Tests.Lambda;

namespace Serverless.Local.Tests.Streams;

/// <summary>
/// A stream consumer as a shell-script runtime: it keeps every event it gets as a file (named by arrival, suffixed
/// with its outcome) and fails as its records ask: a batch holding a <c>"poison"</c> value is a function error; the
/// first record holding <c>"flaky"</c> is reported as a batch item failure the first time it is seen.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class StreamFunction
{
    private const string Script = """
        CALLS="$PACKAGE_DIR/calls"
        mkdir -p "$CALLS"
        keep() { cp event "$CALLS/event.tmp" && mv "$CALLS/event.tmp" "$CALLS/$n-$1.json"; } # whole files only
        api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation"
        while true; do
          curl -s -D headers -o event "$api/next"
          id=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' headers | cut -d' ' -f2 | tr -d '\r')
          n=$(date +%s%N)
          sed 's/{"eventID"/\n{"eventID"/g' event | grep '"eventID"' > records
          if grep -q '"poison"' records; then
            keep error
            curl -s -X POST -d '{"errorMessage":"poison record","errorType":"Poison"}' "$api/$id/error"
            continue
          fi
          failed=""
          while read -r line; do
            if echo "$line" | grep -q '"flaky"'; then
              seq=$(echo "$line" | grep -o '"SequenceNumber":"[0-9]*"' | cut -d'"' -f4)
              if [ ! -e "$CALLS/seen-$seq" ]; then touch "$CALLS/seen-$seq"; failed=$seq; break; fi
            fi
          done < records
          if [ -n "$failed" ]; then
            keep partial
            printf '{"batchItemFailures":[{"itemIdentifier":"%s"}]}' "$failed" > answer
          else
            keep ok
            printf '{"batchItemFailures":[]}' > answer
          fi
          curl -s -X POST --data-binary @answer "$api/$id/response"
        done
        """;

    public StreamFunction(ShellFunctions functions, string name)
    {
        functions.Register(name, Script);
        Calls = Path.Combine(functions.PackageDirectory(name), "calls");
    }

    public string Calls { get; }

    /// <summary>Every invocation so far, in order: its outcome (ok, error, partial) and its records.</summary>
    public IReadOnlyList<(string Outcome, IReadOnlyList<JsonElement> Records)> Invocations() =>
        (Directory.Exists(Calls) ? Directory.GetFiles(Calls, "*.json") : []).Order(StringComparer.Ordinal).Select(path =>
        {
            var name = Path.GetFileNameWithoutExtension(path);
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            return (name[(name.IndexOf('-') + 1)..],
                (IReadOnlyList<JsonElement>)document.RootElement.GetProperty("Records").EnumerateArray().Select(record =>
                    record.Clone()).ToList());
        }).ToList();

    /// <summary>Waits (up to a minute) until the invocations satisfy <paramref name="done"/>.</summary>
    public async Task<IReadOnlyList<(string Outcome, IReadOnlyList<JsonElement> Records)>> WaitForAsync(
        Func<IReadOnlyList<(string Outcome, IReadOnlyList<JsonElement> Records)>, bool> done)
    {
        for (var waited = 0; waited < 600; waited++)
        {
            var invocations = Invocations();
            if (done(invocations)) return invocations;
            await Task.Delay(100);
        }
        throw new TimeoutException($"The stream function's invocations never got there; it had {Invocations().Count}.");
    }

    public static string Value(JsonElement record) =>
        record.GetProperty("dynamodb").GetProperty("NewImage").GetProperty("v").GetProperty("S").GetString()!;

    public static string SequenceNumber(JsonElement record) => record.GetProperty("dynamodb").GetProperty("SequenceNumber").GetString()!;
}
