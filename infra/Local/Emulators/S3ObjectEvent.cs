namespace Serverless.Local.Emulators;

/// <summary>
/// One change of an object in the S3 emulator, as the facts AWS puts in an S3 event notification record
/// (the notification itself, with its exact record format, is <see cref="S3.S3EventMessage"/>).
/// </summary>
/// <param name="Bucket">The bucket name.</param>
/// <param name="Key">The object key as stored, raw: not URL-encoded (an AWS record form-encodes it: space as <c>+</c>).</param>
/// <param name="EventName">The event type as AWS names it, without the <c>s3:</c> prefix: <c>ObjectCreated:Put</c>,
/// <c>ObjectCreated:Post</c> (browser form upload), <c>ObjectCreated:Copy</c>, <c>ObjectCreated:CompleteMultipartUpload</c>
/// or <c>ObjectRemoved:Delete</c>.</param>
/// <param name="Size">The object's size in bytes; null for a removal.</param>
/// <param name="ETag">The object's ETag without quotes; null for a removal.</param>
/// <param name="EventTime">When the change happened (UTC).</param>
/// <param name="SourceIp">The IP address of the client that made the request.</param>
public sealed record S3ObjectEvent(
    string Bucket,
    string Key,
    string EventName,
    long? Size,
    string? ETag,
    DateTimeOffset EventTime,
    string SourceIp);
