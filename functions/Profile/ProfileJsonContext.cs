using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Profile;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(UserProfile))]
[JsonSerializable(typeof(ProfilePatch))]
[JsonSerializable(typeof(AccountDeletionStatus))]
[JsonSerializable(typeof(PurgeAccountEvent))]
internal sealed partial class ProfileJsonContext : JsonSerializerContext;
