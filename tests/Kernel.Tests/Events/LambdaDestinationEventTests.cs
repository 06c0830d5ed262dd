using System.Text.Json;
using Serverless.Kernel.Events;

namespace Serverless.Kernel.Tests.Events;

/// <summary>The invocation record Lambda sends to a destination function, read from records shaped as AWS documents them.</summary>
public class LambdaDestinationEventTests
{
    private static LambdaDestinationEvent Read(string payload) =>
        JsonSerializer.Deserialize(Payload.Read(payload), KernelJsonContext.Default.LambdaDestinationEvent)!;

    [Fact]
    public void A_record_of_an_event_whose_every_attempt_failed_is_read_field_by_field()
    {
        var record = Read("lambda-destination-failure.json");

        Assert.Equal("1.0", record.Version);
        Assert.Equal(new DateTime(2026, 11, 23, 10, 15, 2, 568, DateTimeKind.Utc), record.Timestamp);
        Assert.Equal(DateTimeKind.Utc, record.Timestamp.Kind);
        Assert.Equal("e4b46cbf-b738-4d22-8880-a18cdf61200e", record.RequestContext.RequestId);
        Assert.Equal("arn:aws:lambda:us-east-2:123456789012:function:serverless-prod-ProcessUpload:$LATEST",
            record.RequestContext.FunctionArn);
        Assert.Equal(LambdaDestinationEvent.RetriesExhausted, record.RequestContext.Condition);
        Assert.Equal(3, record.RequestContext.ApproximateInvokeCount);
        Assert.NotNull(record.ResponseContext);
        Assert.Equal(200, record.ResponseContext.StatusCode);
        Assert.Equal("$LATEST", record.ResponseContext.ExecutedVersion);
        Assert.Equal("Unhandled", record.ResponseContext.FunctionError);
        Assert.Equal("Runtime.ExitError", record.ResponsePayload?.GetProperty("errorType").GetString());
    }

    [Fact]
    public void The_request_payload_is_the_original_event_as_JSON()
    {
        var continuation = Read("lambda-destination-failure.json").RequestPayload.GetProperty("continueUpload");
        var s3Event = Read("lambda-destination-event-age.json").RequestPayload.Deserialize(KernelJsonContext.Default.S3Event)!;

        Assert.Equal("9e07af03ce314ff3a7ef36dce652cb4f", continuation.GetProperty("claim").GetString());
        var record = Assert.Single(s3Event.Records);
        Assert.Equal("ObjectCreated:Put", record.EventName);
        Assert.Equal("uploads/11111111-2222-3333-4444-555555555555/01a226bad6ba7cb18b2b3682aa0df726/my reviews.csv",
            record.S3.Object.KeyDecoded);
    }

    [Fact]
    public void A_record_of_an_event_too_old_for_its_first_attempt_has_no_response()
    {
        var record = Read("lambda-destination-event-age.json");

        Assert.Equal(LambdaDestinationEvent.EventAgeExceeded, record.RequestContext.Condition);
        Assert.Equal(0, record.RequestContext.ApproximateInvokeCount);
        Assert.Null(record.ResponseContext);
        Assert.Null(record.ResponsePayload);
    }

    [Fact]
    public void A_successful_record_has_no_function_error_and_writes_none()
    {
        const string json = """
            {"version":"1.0","timestamp":"2019-11-24T23:08:25.651Z","requestContext":{"requestId":"c2a6f2ae-7dbb-4d22-8782-d0485c9877e2",
             "functionArn":"arn:aws:lambda:sa-east-1:123456789123:function:event-destinations:$LATEST",
             "condition":"Success","approximateInvokeCount":1},
             "requestPayload":{"Success":true},"responseContext":{"statusCode":200,"executedVersion":"$LATEST"},"responsePayload":null}
            """;

        var record = JsonSerializer.Deserialize(json, KernelJsonContext.Default.LambdaDestinationEvent)!;
        var written = JsonSerializer.Serialize(record.ResponseContext!, KernelJsonContext.Default.ResponseContextEntity);

        Assert.Equal(LambdaDestinationEvent.Success, record.RequestContext.Condition);
        Assert.Null(record.ResponseContext!.FunctionError);
        Assert.True(record.RequestPayload.GetProperty("Success").GetBoolean());
        Assert.Equal("""{"statusCode":200,"executedVersion":"$LATEST"}""", written);
    }
}
