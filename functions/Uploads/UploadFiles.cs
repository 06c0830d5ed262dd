using Amazon.S3;
using Serverless.ServiceDefaults;

namespace Serverless.Uploads;

/// <summary>
/// The upload's objects in the files bucket: the uploaded file under <c>uploads/{sub}/{uploadId}/</c> and the result
/// <c>results/{sub}/{uploadId}.jsonl</c> (their keys are <see cref="UploadItem"/>'s), for the API and processing alike.
/// </summary>
public static class UploadFiles
{
    /// <summary><c>uploads/{sub}/{uploadId}/{fileName}</c> → (sub, uploadId); null for any other key.</summary>
    public static (string UserSub, string UploadId)? ParseKey(string key)
    {
        if (!key.StartsWith(BucketPrefix.Uploads, StringComparison.Ordinal)) return null;
        var parts = key[BucketPrefix.Uploads.Length..].Split('/', 3);
        return parts.Length == 3 && parts[0].Length > 0 && parts[2].Length > 0 && UploadItem.IsUploadId(parts[1])
            ? (parts[0], parts[1])
            : null;
    }

    /// <summary>
    /// Deletes the upload's objects: the uploaded file under <c>uploads/{sub}/{uploadId}/</c>, and every object whose key
    /// starts with the result key (the result and what ProcessUpload keeps beside it while it writes).
    /// </summary>
    /// <returns>The number of objects deleted.</returns>
    public static async Task<int> DeleteAsync(IAmazonS3 s3, string bucketName, string userSub, string uploadId,
        CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var prefix in new[] { UploadItem.ObjectPrefix(userSub, uploadId), UploadItem.ResultKey(userSub, uploadId) })
            for (int page; (page = await BucketPrefix.DeleteFirstObjectsAsync(s3, bucketName, prefix, cancellationToken)) > 0;)
                deleted += page;
        return deleted;
    }
}
