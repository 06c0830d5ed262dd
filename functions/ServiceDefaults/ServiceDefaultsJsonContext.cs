using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.ServiceDefaults;

/// <summary>
/// What every API writes through its JSON options beside its own types: <c>GET /health</c>'s answer, and the values
/// problem details' extensions carry (strings such as <c>requestId</c> and <c>uploadStatus</c>, the counts of
/// <c>Metering.Quota.TooManyRequests</c>). Extension values are objects, written by their runtime type, and a trimmed
/// package has no reflection-based JSON: a problem with a value of a type missing here is a 500.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Health))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(long))]
internal sealed partial class ServiceDefaultsJsonContext : JsonSerializerContext;
