using System.Text.Json.Serialization;

namespace Serverless.Kernel.Events;

/// <summary>Source-generated (AOT-safe) serialization for every event contract; nulls are left out when writing.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(APIGatewayHttpApiV2ProxyRequest))]
[JsonSerializable(typeof(APIGatewayHttpApiV2ProxyResponse))]
[JsonSerializable(typeof(S3Event))]
[JsonSerializable(typeof(DynamoDBEvent))]
[JsonSerializable(typeof(StreamsEventResponse))]
[JsonSerializable(typeof(CognitoPostConfirmationEvent))]
[JsonSerializable(typeof(CognitoPreSignupEvent))]
[JsonSerializable(typeof(LambdaDestinationEvent))]
public sealed partial class KernelJsonContext : JsonSerializerContext;
