using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Kernel.Events;

namespace Serverless.Kernel.Tests.Events;

public class CognitoTriggerEventTests
{
    private static CognitoPostConfirmationEvent ReadPostConfirmation(string payload) =>
        JsonSerializer.Deserialize(Payload.Read(payload), KernelJsonContext.Default.CognitoPostConfirmationEvent)!;

    private static CognitoPreSignupEvent ReadPreSignup() =>
        JsonSerializer.Deserialize(Payload.Read("cognito-pre-signup.json"), KernelJsonContext.Default.CognitoPreSignupEvent)!;

    [Fact]
    public void A_post_confirmation_reads_the_common_parameters()
    {
        var trigger = ReadPostConfirmation("cognito-post-confirmation-signup.json");

        Assert.Equal("1", trigger.Version);
        Assert.Equal("us-east-2", trigger.Region);
        Assert.Equal("us-east-2_EXAMPLE", trigger.UserPoolId);
        Assert.Equal("7d8ca528-4931-4254-9273-ea5ee853f271", trigger.UserName);
        Assert.Equal("aws-sdk-unknown-unknown", trigger.CallerContext.AwsSdkVersion);
        Assert.Equal("4b8mxmplf8ugs8ds6dm0j5ha0d", trigger.CallerContext.ClientId);
        Assert.Equal("PostConfirmation_ConfirmSignUp", trigger.TriggerSource);
    }

    [Fact]
    public void User_attributes_are_all_strings()
    {
        var attributes = ReadPostConfirmation("cognito-post-confirmation-signup.json").Request.UserAttributes;

        Assert.Equal("true", attributes["email_verified"]);
        Assert.Equal("CONFIRMED", attributes["cognito:user_status"]);
        Assert.Equal("jane@example.com", attributes["email"]);
        Assert.Equal("7d8ca528-4931-4254-9273-ea5ee853f271", attributes["sub"]);
    }

    [Fact]
    public void Client_metadata_is_absent_unless_the_app_sent_some()
    {
        Assert.Null(ReadPostConfirmation("cognito-post-confirmation-signup.json").Request.ClientMetadata);

        var forgotPassword = ReadPostConfirmation("cognito-post-confirmation-forgot-password.json");
        Assert.Equal("PostConfirmation_ConfirmForgotPassword", forgotPassword.TriggerSource);
        Assert.Equal(new Dictionary<string, string> { ["origin"] = "web" }, forgotPassword.Request.ClientMetadata);
    }

    [Theory]
    [InlineData("cognito-post-confirmation-signup.json")]
    [InlineData("cognito-post-confirmation-forgot-password.json")]
    public void A_post_confirmation_echoes_back_unchanged(string payload)
    {
        var json = JsonSerializer.Serialize(ReadPostConfirmation(payload), KernelJsonContext.Default.CognitoPostConfirmationEvent);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Payload.Read(payload)), JsonNode.Parse(json)), json);
        Assert.Equal("{}", JsonNode.Parse(json)!["response"]!.ToJsonString());
    }

    [Fact]
    public void A_pre_signup_reads_null_validation_data_and_a_default_response()
    {
        var trigger = ReadPreSignup();

        Assert.Equal("PreSignUp_SignUp", trigger.TriggerSource);
        Assert.Null(trigger.Request.ValidationData);
        Assert.Equal("sam@example.com", trigger.Request.UserAttributes["email"]);
        Assert.False(trigger.Response.AutoConfirmUser);
        Assert.False(trigger.Response.AutoVerifyEmail);
        Assert.False(trigger.Response.AutoVerifyPhone);
    }

    [Fact]
    public void A_pre_signup_reads_validation_data_when_sent()
    {
        var json = Payload.Read("cognito-pre-signup.json")
            .Replace("\"validationData\": null", "\"validationData\": {\"inviteCode\": \"X7-42\"}");

        var trigger = JsonSerializer.Deserialize(json, KernelJsonContext.Default.CognitoPreSignupEvent)!;

        Assert.Equal(new Dictionary<string, string> { ["inviteCode"] = "X7-42" }, trigger.Request.ValidationData);
    }

    [Fact]
    public void A_pre_signup_answers_with_the_event_and_its_filled_in_response()
    {
        var trigger = ReadPreSignup();
        trigger.Response.AutoConfirmUser = true;
        trigger.Response.AutoVerifyEmail = true;

        var answer = JsonNode.Parse(JsonSerializer.Serialize(trigger, KernelJsonContext.Default.CognitoPreSignupEvent))!;

        Assert.Equal("""{"autoConfirmUser":true,"autoVerifyEmail":true,"autoVerifyPhone":false}""", answer["response"]!.ToJsonString());
        Assert.Equal("PreSignUp_SignUp", answer["triggerSource"]!.GetValue<string>());
        Assert.Equal("0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0", answer["userName"]!.GetValue<string>());
        Assert.Equal("sam@example.com", answer["request"]!["userAttributes"]!["email"]!.GetValue<string>());
    }
}
