using System.Text.Json.Serialization;

namespace Serverless.Uploads.Processing;

/// <summary>
/// The event ProcessUpload sends itself (an asynchronous Invoke) to go on with an upload in a new invocation:
/// <c>{"continueUpload": {"userSub": "...", "uploadId": "...", "claim": "..."}}</c>. <see cref="HandOn"/> sends it and
/// explains how the claim travels with it.
/// </summary>
public sealed record ContinueUploadEvent(ContinueUpload? ContinueUpload);

/// <summary>
/// Which upload to continue, and the handed-on claim token; with the month of its usage and the rows scored up to the
/// checkpoint, so an upload deleted before the continuation takes it over is still settled.
/// </summary>
public sealed record ContinueUpload(
    string UserSub, string UploadId, string Claim, string? UsageMonth = null, long Scored = 0);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(ContinueUploadEvent))]
internal sealed partial class ContinuationJsonContext : JsonSerializerContext;
