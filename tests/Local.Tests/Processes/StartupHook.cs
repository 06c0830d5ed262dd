// The .NET runtime calls StartupHook.Initialize() in every assembly named by DOTNET_STARTUP_HOOKS before Main.
// ChildProcessTests runs this test assembly as a plain program (`dotnet Local.Tests.dll`, whose generated Main is
// empty) with that variable set, which turns it into a small "local cloud" process that it can then kill.
// Without SERVERLESS_CHILD_PROCESS_PROBE set, this does nothing.

/// <summary>Entry point of the child-process probe; see <c>OrphanProbe</c>.</summary>
internal static class StartupHook
{
    public static void Initialize()
    {
        var mode = Environment.GetEnvironmentVariable(Serverless.Local.Tests.Processes.OrphanProbe.ModeVariable);
        if (!string.IsNullOrEmpty(mode))
        {
            Serverless.Local.Tests.Processes.OrphanProbe.Run(mode);
        }
    }
}
