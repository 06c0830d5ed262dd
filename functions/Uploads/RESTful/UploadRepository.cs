using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.S3;
using Amazon.S3.Model;
using Serverless.ServiceDefaults;

namespace Serverless.Uploads;

/// <summary>
/// An upload as the API shows it. <see cref="Size"/> is the uploaded object's once it arrived, the declared size until then.
/// <see cref="StoppedAtQuota"/> and <see cref="Note"/> are there only when processing stopped at the monthly quota (then
/// <see cref="RowsTotal"/> counts the rows read before it, not the whole file).
/// </summary>
public sealed record Upload(
    string UploadId, string Status, string FileName, string ContentType, long Size,
    long? RowsTotal, long RowsProcessed, long RowsFailed, IReadOnlyDictionary<string, long> LabelCounts,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, string? Error,
    bool? StoppedAtQuota, string? Note);

/// <summary>A presigned request: send it as given (method, URL, exactly these headers) before <see cref="ExpiresAt"/>.</summary>
public sealed record PresignedRequest(
    string Method, string Url, IReadOnlyDictionary<string, string> Headers, DateTimeOffset ExpiresAt);

/// <summary>
/// The API's reads and writes of upload items (<c>USER#{sub}</c> / <c>UPLOAD#{uploadId}</c>, see <see cref="UploadItem"/>)
/// and their objects in the files bucket (<see cref="UploadFiles"/>), and the presigned requests that move the files.
/// </summary>
public sealed class UploadRepository(IAmazonDynamoDB db, IAmazonS3 s3, Table table, string bucketName, TimeProvider time)
{
    /// <summary>How long a presigned URL works.</summary>
    public static readonly TimeSpan PresignedLifetime = TimeSpan.FromMinutes(15);

    // The SDK writes X-Amz-Expires as the seconds from its own clock, read a moment after ours, to Expires, rounded:
    // half a second more makes that 900, not 899, unless presigning takes over a second (a cold start's first call).
    private static readonly TimeSpan RoundingMargin = TimeSpan.FromMilliseconds(500);

    /// <summary>Creates a PENDING_UPLOAD item; it expires unless a file arrives and ProcessUpload claims it.</summary>
    public async Task<Upload> CreateAsync(
        string userSub, string fileName, string contentType, string format, long size, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var uploadId = Guid.CreateVersion7(now).ToString("N");
        var item = new Dictionary<string, AttributeValue>(UploadItem.Key(userSub, uploadId))
        {
            [UploadAttribute.Type] = new() { S = UploadItem.Type },
            [UploadAttribute.UploadId] = new() { S = uploadId },
            [UploadAttribute.FileName] = new() { S = fileName },
            [UploadAttribute.ContentType] = new() { S = contentType },
            [UploadAttribute.Format] = new() { S = format },
            [UploadAttribute.DeclaredSize] = NumberAttribute.Of(size),
            [UploadAttribute.ObjectKey] = new() { S = UploadItem.ObjectKey(userSub, uploadId, fileName) },
            [UploadAttribute.Status] = new() { S = UploadStatus.PendingUpload },
            [UploadAttribute.CreatedAt] = new() { S = Timestamp.Of(now) },
            [UploadAttribute.UpdatedAt] = new() { S = Timestamp.Of(now) },
            [UploadAttribute.ExpiresAt] = NumberAttribute.Of((now + UploadItem.PendingLifetime).ToUnixTimeSeconds()),
        };
        await db.PutItemAsync(new PutItemRequest
        {
            TableName = table.Name,
            Item = item,
            ConditionExpression = "attribute_not_exists(PK)",
        }, cancellationToken);
        return FromItem(item);
    }

    /// <summary>The user's upload; null when there is none or <paramref name="uploadId"/> is not an upload id at all.</summary>
    public async Task<Upload?> GetAsync(string userSub, string uploadId, CancellationToken cancellationToken)
    {
        if (!UploadItem.IsUploadId(uploadId)) return null;
        var response = await db.GetItemAsync(new GetItemRequest
        {
            TableName = table.Name,
            Key = UploadItem.Key(userSub, uploadId),
            ConsistentRead = true,
        }, cancellationToken);
        return response.IsItemSet ? FromItem(response.Item) : null;
    }

    /// <summary>A page of the uploads in the page's partition, newest first (upload ids are time-ordered).</summary>
    public async Task<Page<Upload>> ListAsync(PageRequest page, CancellationToken cancellationToken)
    {
        var response = await db.QueryAsync(page.NewestFirst(table), cancellationToken);
        return page.ToPage(response, FromItem);
    }

    /// <summary>
    /// Deletes the upload's objects (<see cref="UploadFiles.DeleteAsync"/>), then its item (last, so a delete that failed
    /// half-way can be repeated).
    /// </summary>
    /// <returns>The number of objects deleted.</returns>
    public async Task<int> DeleteAsync(string userSub, string uploadId, CancellationToken cancellationToken)
    {
        var deleted = await UploadFiles.DeleteAsync(s3, bucketName, userSub, uploadId, cancellationToken);
        await db.DeleteItemAsync(
            new DeleteItemRequest { TableName = table.Name, Key = UploadItem.Key(userSub, uploadId) }, cancellationToken);
        return deleted;
    }

    /// <summary>
    /// A presigned <c>PUT</c> of the upload's object: SigV4 in the query, signing exactly the key, the content type, the
    /// declared size (<c>Content-Length</c>, which the client's HTTP stack sets from the body) and <c>If-None-Match: *</c>,
    /// so S3 refuses a file of another size and any PUT once the object exists: the URL writes the declared file once.
    /// </summary>
    public async Task<PresignedRequest> PresignUploadAsync(
        string userSub, string uploadId, string fileName, string contentType, long size)
    {
        var expiresAt = time.GetUtcNow() + PresignedLifetime;
        var request = new GetPreSignedUrlRequest
        {
            BucketName = bucketName,
            Key = UploadItem.ObjectKey(userSub, uploadId, fileName),
            Verb = HttpVerb.PUT,
            Expires = (expiresAt + RoundingMargin).UtcDateTime,
            ContentType = contentType,
            Protocol = Scheme(),
        };
        request.Headers.ContentLength = size;
        request.Headers[IfNoneMatch] = "*";
        var url = await s3.GetPreSignedURLAsync(request);
        var headers = new Dictionary<string, string> { ["Content-Type"] = contentType, [IfNoneMatch] = "*" };
        return new PresignedRequest("PUT", url, headers, expiresAt);
    }

    private const string IfNoneMatch = "If-None-Match";

    /// <summary>A presigned <c>GET</c> of the result file that a browser saves as <paramref name="downloadName"/>.</summary>
    public async Task<PresignedRequest> PresignResultsAsync(string userSub, string uploadId, string downloadName)
    {
        var disposition = new Microsoft.Net.Http.Headers.ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName(downloadName);
        var expiresAt = time.GetUtcNow() + PresignedLifetime;
        var url = await s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest
        {
            BucketName = bucketName,
            Key = UploadItem.ResultKey(userSub, uploadId),
            Verb = HttpVerb.GET,
            Expires = (expiresAt + RoundingMargin).UtcDateTime,
            ResponseHeaderOverrides = { ContentDisposition = disposition.ToString() },
            Protocol = Scheme(),
        });
        return new PresignedRequest("GET", url, new Dictionary<string, string>(), expiresAt);
    }

    // The SDK presigns https unless told otherwise; an http endpoint (AWS_ENDPOINT_URL_S3 on a laptop) needs http URLs.
    private Protocol Scheme() =>
        s3.Config.ServiceURL?.StartsWith("http://", StringComparison.OrdinalIgnoreCase) == true ? Protocol.HTTP : Protocol.HTTPS;

    private static Upload FromItem(Dictionary<string, AttributeValue> item)
    {
        long? Long(string name) =>
            item.TryGetValue(name, out var value) && value.N is { } n ? long.Parse(n, CultureInfo.InvariantCulture) : null;
        string? String(string name) => item.TryGetValue(name, out var value) ? value.S : null;
        DateTimeOffset? Time(string name) =>
            String(name) is { } text ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture) : null;
        var labelCounts = item.TryGetValue(UploadAttribute.LabelCounts, out var counts) && counts.M is { } map
            ? map.ToDictionary(pair => pair.Key, pair => NumberAttribute.Read(pair.Value))
            : [];
        return new Upload(
            item[UploadAttribute.UploadId].S,
            item[UploadAttribute.Status].S,
            item[UploadAttribute.FileName].S,
            item[UploadAttribute.ContentType].S,
            Long(UploadAttribute.ObjectSize) ?? Long(UploadAttribute.DeclaredSize) ?? 0,
            Long(UploadAttribute.RowsTotal),
            Long(UploadAttribute.RowsProcessed) ?? 0,
            Long(UploadAttribute.RowsFailed) ?? 0,
            labelCounts,
            Time(UploadAttribute.CreatedAt)!.Value,
            Time(UploadAttribute.UpdatedAt)!.Value,
            Time(UploadAttribute.StartedAt),
            Time(UploadAttribute.CompletedAt),
            String(UploadAttribute.Error),
            item.TryGetValue(UploadAttribute.StoppedAtQuota, out var stopped) ? stopped.BOOL : null,
            String(UploadAttribute.Note));
    }
}
