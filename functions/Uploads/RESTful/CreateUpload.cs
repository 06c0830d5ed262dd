using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using Serverless.Metering;
using Serverless.ServiceDefaults;

namespace Serverless.Uploads;

/// <summary>What <c>POST /uploads</c> takes: the file the browser is about to upload.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record NewUpload(string? FileName, string? ContentType, long? Size);

/// <summary>What <c>POST /uploads</c> answers: the upload, and the request that uploads its file.</summary>
public sealed record CreatedUpload(Upload Upload, PresignedRequest UploadRequest);

/// <summary>
/// <c>POST /uploads</c>: records a PENDING_UPLOAD and answers 201 with a presigned <c>PUT</c> that writes the file
/// to <c>uploads/{sub}/{uploadId}/{fileName}</c>; S3 then starts ProcessUpload. 400 names each bad field; 429 with
/// <c>Retry-After</c> when the plan's monthly quota is used up.
/// </summary>
public static class CreateUpload
{
    public const int MaxFileNameLength = 255;

    public static RouteHandlerBuilder MapCreateUpload(this RouteGroupBuilder uploads) =>
        uploads.MapPost("", HandleAsync).WithName(nameof(CreateUpload));

    public static async Task<Results<Created<CreatedUpload>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        NewUpload request, ClaimsPrincipal user, UploadRepository uploads, UploadsApiSettings settings, Quota quota,
        HttpResponse response, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var errors = Validate(request, settings.MaxUploadBytes, out var format);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var sub = user.Sub();
        // A file's rows are known only once it is read: an upload needs room for at least one; ProcessUpload stops at the quota.
        var check = await quota.CheckAsync(sub, 1, cancellationToken);
        if (!check.Allowed) return Quota.TooManyRequests(response, check);
        var contentType = request.ContentType!.Trim();
        var upload = await uploads.CreateAsync(sub, request.FileName!, contentType, format!, request.Size!.Value, cancellationToken);
        var uploadRequest = await uploads.PresignUploadAsync(sub, upload.UploadId, upload.FileName, contentType, upload.Size);
        loggers.CreateLogger(typeof(CreateUpload)).LogInformation(
            "Created upload {UploadId} for {UserSub}: {FileName}, {ContentType}, {Size} bytes",
            upload.UploadId, sub, upload.FileName, contentType, upload.Size);
        return TypedResults.Created($"/uploads/{upload.UploadId}", new CreatedUpload(upload, uploadRequest));
    }

    /// <summary>
    /// The problems with <paramref name="request"/>, by field; <paramref name="format"/> is the file format its content
    /// type declares.
    /// </summary>
    public static Dictionary<string, string[]> Validate(NewUpload request, long maxUploadBytes, out string? format)
    {
        var errors = new Dictionary<string, string[]>();
        format = null;
        if (FileNameProblem(request.FileName) is { } fileName) errors["fileName"] = [fileName];
        if (ContentTypeProblem(request.ContentType, out format) is { } contentType) errors["contentType"] = [contentType];
        if (request.Size is not { } size)
            errors["size"] = ["Give the file's size in bytes."];
        else if (size < 1 || size > maxUploadBytes)
            errors["size"] = [string.Create(CultureInfo.InvariantCulture, $"The size must be between 1 and {maxUploadBytes} bytes.")];
        return errors;
    }

    private static string? FileNameProblem(string? name)
    {
        if (string.IsNullOrEmpty(name)) return "Give the file's name.";
        if (name.Length > MaxFileNameLength) return $"The file name must be at most {MaxFileNameLength} characters.";
        if (name.IndexOfAny(['/', '\\']) >= 0) return "The file name must not contain '/' or '\\'.";
        if (name.Any(char.IsControl)) return "The file name must not contain control characters.";
        // A URL path segment of "." or ".." is resolved away by browsers and HTTP clients: the PUT would miss its key.
        if (name is "." or "..") return "The file name must not be '.' or '..'.";
        if (!IsValidUnicode(name)) return "The file name must be valid Unicode text.";
        return null;
    }

    private static string? ContentTypeProblem(string? contentType, out string? format)
    {
        format = null;
        const string Accepted = "text/csv, application/jsonl (or application/x-ndjson, application/x-jsonlines) or text/plain";
        if (string.IsNullOrWhiteSpace(contentType)) return $"Give the file's content type: {Accepted}.";
        if (!MediaTypeHeaderValue.TryParse(contentType.Trim(), out var mediaType))
            return $"'{contentType}' is not a content type; use {Accepted}.";
        if (!UploadFormats.ByMediaType.TryGetValue(mediaType.MediaType.Value ?? "", out format))
            return $"'{mediaType.MediaType}' files are not accepted; use {Accepted}.";
        if (mediaType.Charset.HasValue
            && !string.Equals(HeaderUtilities.RemoveQuotes(mediaType.Charset).Value, "utf-8", StringComparison.OrdinalIgnoreCase))
        {
            format = null;
            return $"Files must be UTF-8; the charset '{mediaType.Charset}' is not accepted.";
        }
        return null;
    }

    private static bool IsValidUnicode(string text)
    {
        try
        {
            new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetByteCount(text);
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }
}
