namespace Serverless.Uploads.Results;

/// <summary>One part of the result's multipart upload: what CompleteMultipartUpload needs of it.</summary>
public sealed record ResultPart(int PartNumber, string ETag, string? ChecksumCrc32);

/// <summary>
/// A result written part-way, as checkpoint number <see cref="Number"/> keeps it for the next invocation: the multipart
/// upload and its parts so far, and the size of the unfinished part carried in an object of its own
/// (<see cref="UploadItem.CarryKey"/> of that number).
/// </summary>
public sealed record CarriedResult(int Number, string? MultipartUploadId, IReadOnlyList<ResultPart> Parts, long CarryBytes);
