using System.Net;
using System.Text.Json.Nodes;
using Serverless.Local.Emulators;
using Xunit.Abstractions;

namespace Serverless.Local.Tests.Emulators;

/// <summary>cognito-local: username attributes as requested, and the typed errors it answers with.</summary>
[Collection(CognitoLocalTestBase.Collection)]
public sealed class CognitoLocalErrorTests(ITestOutputHelper log) : CognitoLocalTestBase(log)
{
    [Fact]
    public async Task Username_attributes_are_as_requested_and_errors_have_a_type()
    {
        await using var cognito = await CognitoLocal.StartAsync(Installer, EmulatorTestPaths.NewScratchDirectory("cognito"));

        var plain = await cognito.CreateUserPoolAsync("plain");
        var plainClient = await cognito.CreateUserPoolClientAsync(plain, "web");
        var dave = await cognito.SendAsync("SignUp", new JsonObject { ["ClientId"] = plainClient, ["Username"] = "dave",
            ["Password"] = Password });
        Assert.False(dave.GetProperty("UserConfirmed").GetBoolean());

        var emails = await cognito.CreateUserPoolAsync("emails", usernameAttributes: ["email"]);
        var emailsClient = await cognito.CreateUserPoolClientAsync(emails, "web");
        var notEmail = await Assert.ThrowsAsync<CognitoLocalException>(() =>
            cognito.SendAsync("SignUp", new JsonObject { ["ClientId"] = emailsClient, ["Username"] = "dave", ["Password"] = Password }));
        Assert.Equal("InvalidParameterException", notEmail.ErrorType);
        Assert.Equal("Username should be an email.", notEmail.ErrorMessage);

        await cognito.SendAsync("SignUp", new JsonObject { ["ClientId"] = emailsClient, ["Username"] = "erin@example.com",
            ["Password"] = Password });
        await cognito.SendAsync("AdminConfirmSignUp", new JsonObject { ["UserPoolId"] = emails, ["Username"] = "erin@example.com" });

        var wrongPassword = await Assert.ThrowsAsync<CognitoLocalException>(() =>
            SignInAsync(cognito, emailsClient, "erin@example.com", "nope"));
        Assert.Equal("InvalidPasswordException", wrongPassword.ErrorType); // real Cognito says NotAuthorizedException
        var unknownUser = await Assert.ThrowsAsync<CognitoLocalException>(() => SignInAsync(cognito, emailsClient, "nobody@example.com"));
        Assert.Equal("NotAuthorizedException", unknownUser.ErrorType);
        var otherCase = await Assert.ThrowsAsync<CognitoLocalException>(() => SignInAsync(cognito, emailsClient, "Erin@Example.com"));
        Assert.Equal("NotAuthorizedException", otherCase.ErrorType); // emails are case-sensitive here
        var duplicate = await Assert.ThrowsAsync<CognitoLocalException>(() =>
            cognito.SendAsync("SignUp", new JsonObject { ["ClientId"] = emailsClient, ["Username"] = "erin@example.com",
                ["Password"] = Password }));
        Assert.Equal("UsernameExistsException", duplicate.ErrorType);

        var unsupported = await Assert.ThrowsAsync<CognitoLocalException>(() => cognito.SendAsync("InitiateAuth", new JsonObject
        {
            ["ClientId"] = emailsClient,
            ["AuthFlow"] = "USER_SRP_AUTH",
            ["AuthParameters"] = new JsonObject { ["USERNAME"] = "erin@example.com", ["SRP_A"] = "1" },
        }));
        Assert.Equal("CognitoLocal#Unsupported", unsupported.ErrorType);
        Assert.Equal(HttpStatusCode.InternalServerError, unsupported.StatusCode);
        Log.WriteLine(unsupported.Message);

        var missingPool = await Assert.ThrowsAsync<CognitoLocalException>(() =>
            cognito.SendAsync("AdminConfirmSignUp", new JsonObject { ["UserPoolId"] = "local_missing0", ["Username"] = "x" }));
        Assert.Equal("ResourceNotFoundException", missingPool.ErrorType);
    }
}
