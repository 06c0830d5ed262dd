using System.Text.Json.Serialization;

namespace Serverless.Kernel.Runtime;

/// <summary>The error document the Runtime API takes for <c>invocation/{id}/error</c> and <c>init/error</c>.</summary>
public sealed record LambdaError(
    [property: JsonPropertyName("errorMessage")] string ErrorMessage,
    [property: JsonPropertyName("errorType")] string ErrorType,
    [property: JsonPropertyName("stackTrace")] IReadOnlyList<string> StackTrace)
{
    public static LambdaError From(Exception exception) => new(
        exception.Message,
        exception.GetType().Name,
        (exception.StackTrace ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
}

[JsonSerializable(typeof(LambdaError))]
internal sealed partial class RuntimeJsonContext : JsonSerializerContext;
