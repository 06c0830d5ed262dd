namespace Serverless.Kernel.Tests.Events;

/// <summary>The AWS-shaped event fixtures under Events/Payloads, copied next to the test assembly.</summary>
internal static class Payload
{
    public static string Read(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Events", "Payloads", name));
}
