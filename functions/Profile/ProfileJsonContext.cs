using System.Text.Json;
using System.Text.Json.Serialization;
using Serverless.ServiceDefaults;

namespace Serverless.Profile;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(UserProfile))]
[JsonSerializable(typeof(ProfilePatch))]
[JsonSerializable(typeof(Health))]
internal sealed partial class ProfileJsonContext : JsonSerializerContext;
