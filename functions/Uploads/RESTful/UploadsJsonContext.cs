using System.Text.Json;
using System.Text.Json.Serialization;
using Serverless.ServiceDefaults;

namespace Serverless.Uploads;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(NewUpload))]
[JsonSerializable(typeof(CreatedUpload))]
[JsonSerializable(typeof(Upload))]
[JsonSerializable(typeof(Page<Upload>))]
[JsonSerializable(typeof(UploadResults))]
internal sealed partial class UploadsJsonContext : JsonSerializerContext;
