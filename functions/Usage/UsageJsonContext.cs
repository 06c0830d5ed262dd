using System.Text.Json;
using System.Text.Json.Serialization;
using Serverless.ServiceDefaults;

namespace Serverless.Usage;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(UsageReport))]
[JsonSerializable(typeof(Health))]
internal sealed partial class UsageJsonContext : JsonSerializerContext;
