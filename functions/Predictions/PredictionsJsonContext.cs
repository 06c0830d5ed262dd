using System.Text.Json;
using System.Text.Json.Serialization;
using Serverless.ServiceDefaults;

namespace Serverless.Predictions;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Health))]
internal sealed partial class PredictionsJsonContext : JsonSerializerContext;
