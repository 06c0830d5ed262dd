namespace Serverless.Local.Tests.Lambda;

/// <summary>A function package whose <c>bootstrap</c> is a bash script speaking the Runtime API with curl, so a test drives
/// each Lambda behaviour exactly.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class ShellFunction
{
    /// <summary>Answers each invocation with <c>{"event": …}</c> after running <paramref name="beforeAnswer"/> (with
    /// the event in file <c>event</c>).</summary>
    public static string Answering(string beforeAnswer) => $$"""
        while true; do
          curl -s -D headers -o event "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next"
          id=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' headers | cut -d' ' -f2 | tr -d '\r')
          {{beforeAnswer}}
          printf '{"event":%s}' "$(cat event)" > answer
          curl -s -X POST --data-binary @answer "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$id/response"
        done
        """;

    /// <summary>Writes <c>{directory}/bootstrap</c>, executable, running <paramref name="script"/> in a fresh temporary folder.</summary>
    public static string WritePackage(string directory, string script)
    {
        Directory.CreateDirectory(directory);
        var bootstrap = Path.Combine(directory, "bootstrap");
        File.WriteAllText(bootstrap, "#!/bin/bash\ncd \"$(mktemp -d)\"\n" + script + "\n");
        File.SetUnixFileMode(bootstrap, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return directory;
    }
}
