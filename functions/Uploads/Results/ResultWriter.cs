using System.Text.Encodings.Web;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Serverless.Kernel.Aws;
using Serverless.Uploads.Parsing;

namespace Serverless.Uploads.Results;

/// <summary>
/// Streams the result file, <c>results/{sub}/{uploadId}.jsonl</c>, one JSON line per row in row order:
/// <c>{"row":N,"text":"...","label":"POSITIVE","score":0.98}</c> or <c>{"row":N,"error":"..."}</c>. Lines gather in one
/// part buffer; each full part (<see cref="PartBytes"/>, S3's minimum) goes up as a part of a multipart upload, started
/// with the first one. A result that never fills a part is one PutObject. Between invocations the unfinished part is
/// carried in a small object of its own per checkpoint (<see cref="CarriedResult"/>), since S3 takes no part under 5 MiB
/// but the last; the upload's carried parts are deleted when it ends. A retry resuming at the same checkpoint uploads the
/// same part numbers again, which replaces what the attempt before it uploaded under them.
/// </summary>
public sealed class ResultWriter
{
    /// <summary>S3's smallest part but the last: 5 MiB.</summary>
    public const int PartBytes = 5 * 1024 * 1024;

    public const string ContentType = "application/jsonl";

    private static readonly JsonWriterOptions LineOptions =
        new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    private readonly IAmazonS3 s3;
    private readonly string bucket;
    private readonly string key;
    private readonly Func<int, string> carryKey;
    private readonly MemoryStream part = new(PartBytes + 64 * 1024);
    private readonly Utf8JsonWriter json;
    private readonly List<ResultPart> parts;
    private readonly int resumedAt;
    private bool carried;
    private string? multipartUploadId;

    private ResultWriter(IAmazonS3 s3, string bucket, string key, Func<int, string> carryKey, CarriedResult? from)
    {
        this.s3 = s3;
        this.bucket = bucket;
        this.key = key;
        this.carryKey = carryKey;
        json = new Utf8JsonWriter(part, LineOptions);
        parts = [.. from?.Parts ?? []];
        multipartUploadId = from?.MultipartUploadId;
        resumedAt = from?.Number ?? 0;
    }

    /// <summary>
    /// A writer for a new result, or one resuming where a checkpoint carried it, with its carried bytes loaded;
    /// <paramref name="carryKey"/> names the carried part of checkpoint number N.
    /// </summary>
    public static async Task<ResultWriter> OpenAsync(IAmazonS3 s3, string bucket, string key, Func<int, string> carryKey,
        CarriedResult? from, CancellationToken cancellationToken)
    {
        var writer = new ResultWriter(s3, bucket, key, carryKey, from);
        if (from is { CarryBytes: > 0 })
        {
            var carryKeyIn = carryKey(from.Number);
            using var carried = await s3.GetObjectAsync(
                new GetObjectRequest { BucketName = bucket, Key = carryKeyIn }, cancellationToken);
            await carried.ResponseStream.CopyToAsync(writer.part, cancellationToken);
            if (writer.part.Length != from.CarryBytes)
                throw new InvalidDataException(
                    $"The carried result part {carryKeyIn} has {writer.part.Length} bytes; the checkpoint expects {from.CarryBytes}.");
        }
        return writer;
    }

    /// <summary>
    /// Drops what the invocations up to the checkpoint that carried <paramref name="from"/> wrote, as
    /// <see cref="AbortAsync"/> does, without loading the carried part: for an upload whose processing died and will not
    /// resume.
    /// </summary>
    public static Task DiscardAsync(IAmazonS3 s3, string bucket, string key, Func<int, string> carryKey, CarriedResult from,
        CancellationToken cancellationToken) =>
        new ResultWriter(s3, bucket, key, carryKey, from).AbortAsync(cancellationToken);

    /// <summary>Adds a row's line; uploads a part when the buffer is full.</summary>
    public async Task WriteAsync(Row row, Classification? classification, CancellationToken cancellationToken)
    {
        json.Reset(part);
        json.WriteStartObject();
        json.WriteNumber("row", row.Number);
        if (classification is null)
        {
            json.WriteString("error", row.Error);
        }
        else
        {
            json.WriteString("text", row.Text);
            json.WriteString("label", classification.Label);
            json.WriteNumber("score", classification.Score);
        }
        json.WriteEndObject();
        json.Flush();
        part.WriteByte((byte)'\n');
        if (part.Length >= PartBytes) await UploadPartAsync(cancellationToken);
    }

    /// <summary>Saves the unfinished part for checkpoint number <paramref name="checkpoint"/>; returns the writer's state for it.</summary>
    public async Task<CarriedResult> CarryAsync(int checkpoint, CancellationToken cancellationToken)
    {
        if (part.Length > 0)
        {
            carried = true;
            await PutAsync(carryKey(checkpoint), cancellationToken);
        }
        return new CarriedResult(checkpoint, multipartUploadId, parts, part.Length);
    }

    /// <summary>Writes the result object: the last part and CompleteMultipartUpload, or one PutObject.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (multipartUploadId is null)
        {
            await PutAsync(key, cancellationToken);
        }
        else
        {
            if (part.Length > 0 || parts.Count == 0) await UploadPartAsync(cancellationToken);
            await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = bucket,
                Key = key,
                UploadId = multipartUploadId,
                PartETags = parts
                    .Select(p => new PartETag { PartNumber = p.PartNumber, ETag = p.ETag, ChecksumCRC32 = p.ChecksumCrc32 })
                    .ToList(),
            }, cancellationToken);
        }
        await ForgetCarriedAsync(cancellationToken);
    }

    /// <summary>Drops what was written: aborts the multipart upload, deletes the carried parts.</summary>
    public async Task AbortAsync(CancellationToken cancellationToken)
    {
        if (multipartUploadId is { } id)
        {
            try
            {
                await s3.AbortMultipartUploadAsync(
                    new AbortMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = id }, cancellationToken);
            }
            catch (AmazonS3Exception gone) when (gone.ErrorCode == "NoSuchUpload")
            {
                // Aborted already: a second failure report.
            }
        }
        await ForgetCarriedAsync(cancellationToken);
    }

    /// <summary>
    /// Deletes the carried parts of checkpoints 1 to the one after this writer's: the earlier invocations', its own, and one
    /// an earlier attempt of this invocation may have saved before it died without saving its checkpoint. Nothing when the
    /// upload never had a checkpoint. A key S3 answers an error for is left to the bucket's expiry of <c>results/</c>.
    /// </summary>
    private async Task ForgetCarriedAsync(CancellationToken cancellationToken)
    {
        if (resumedAt == 0 && !carried) return;
        await s3.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = bucket,
            Objects = Enumerable.Range(1, resumedAt + 1).Select(number => new KeyVersion { Key = carryKey(number) }).ToList(),
            Quiet = true,
        }, cancellationToken);
    }

    private async Task UploadPartAsync(CancellationToken cancellationToken)
    {
        multipartUploadId ??= (await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = bucket,
            Key = key,
            ContentType = ContentType,
            ChecksumAlgorithm = ChecksumAlgorithm.CRC32,
        }, cancellationToken)).UploadId;
        var number = parts.Count + 1;
        var uploaded = await s3.UploadPartAsync(new UploadPartRequest
        {
            BucketName = bucket,
            Key = key,
            UploadId = multipartUploadId,
            PartNumber = number,
            InputStream = Buffered(),
            PartSize = part.Length,
            ChecksumAlgorithm = ChecksumAlgorithm.CRC32,
            UseChunkEncoding = false,
        }, cancellationToken);
        parts.Add(new ResultPart(number, uploaded.ETag, uploaded.ChecksumCRC32));
        part.SetLength(0);
    }

    private async Task PutAsync(string objectKey, CancellationToken cancellationToken)
    {
        await s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = objectKey,
            InputStream = Buffered(),
            ContentType = ContentType,
            UseChunkEncoding = false,
        }, cancellationToken);
    }

    // The buffered bytes as a stream of their own, which the SDK may read, rewind and close.
    private MemoryStream Buffered() => new(part.GetBuffer(), 0, (int)part.Length, writable: false);
}
