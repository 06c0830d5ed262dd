using System.Text.Json;
using System.Text.Json.Serialization;
using Serverless.Kernel.Aws;
using Serverless.ServiceDefaults;

namespace Serverless.Predictions;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(NewPrediction))]
[JsonSerializable(typeof(CreatedPrediction))]
[JsonSerializable(typeof(Page<PastPrediction>))]
internal sealed partial class PredictionsJsonContext : JsonSerializerContext;
