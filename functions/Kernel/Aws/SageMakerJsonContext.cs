using System.Text.Json.Serialization;

namespace Serverless.Kernel.Aws;

/// <summary>One answer of a Hugging Face text-classification endpoint: <c>{"label": "POSITIVE", "score": 0.98}</c>.</summary>
public sealed record Classification(string Label, double Score);

/// <summary>The Hugging Face inference toolkit's request: <c>{"inputs": ["t1", "t2"]}</c>.</summary>
internal sealed record TextClassificationRequest(IReadOnlyList<string> Inputs);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(TextClassificationRequest))]
[JsonSerializable(typeof(List<Classification>))]
internal sealed partial class SageMakerJsonContext : JsonSerializerContext;
