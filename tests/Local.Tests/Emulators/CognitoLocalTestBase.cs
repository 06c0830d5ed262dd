using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Local.Emulators;
using Serverless.Local.Installers;
using Xunit.Abstractions;

namespace Serverless.Local.Tests.Emulators;

/// <summary>What the cognito-local tests share: the installer, the users' password and signing in.</summary>
/// <param name="log">Receives the installer's and the tests' output.</param>
public abstract class CognitoLocalTestBase(ITestOutputHelper log)
{
    /// <summary>The collection of the cognito-local tests: they run one at a time, each with its own cognito-local.</summary>
    public const string Collection = "cognito-local";

    protected const string Password = "Passw0rd!";
    protected static readonly Dictionary<string, string> CreateProfileOnConfirmation = new() { ["PostConfirmation"] = "CreateProfile" };

    protected ITestOutputHelper Log { get; } = log;

    protected EmulatorInstaller Installer => new(EmulatorTestPaths.Cache, line => Log.WriteLine(line));

    protected static Task<JsonElement> SignInAsync(CognitoLocal cognito, string clientId, string username, string password = Password) =>
        cognito.SendAsync("InitiateAuth", new JsonObject
        {
            ["ClientId"] = clientId,
            ["AuthFlow"] = "USER_PASSWORD_AUTH",
            ["AuthParameters"] = new JsonObject { ["USERNAME"] = username, ["PASSWORD"] = password },
        });
}
