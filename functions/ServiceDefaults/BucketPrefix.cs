using Amazon.S3;
using Amazon.S3.Model;

namespace Serverless.ServiceDefaults;

/// <summary>
/// Where a user's objects live in the bucket: the files they upload under <c>uploads/{sub}/</c>, the results (and the parts
/// ProcessUpload carries between invocations) under <c>results/{sub}/</c>. One definition, so deleting an account reaches
/// every object the Uploads group writes.
/// </summary>
public static class BucketPrefix
{
    public const string Uploads = "uploads/";
    public const string Results = "results/";

    public static string UploadsOf(string userSub) => $"{Uploads}{userSub}/";

    public static string ResultsOf(string userSub) => $"{Results}{userSub}/";

    /// <summary>Every prefix that holds objects of <paramref name="userSub"/>.</summary>
    public static IReadOnlyList<string> Of(string userSub) => [UploadsOf(userSub), ResultsOf(userSub)];

    /// <summary>
    /// Deletes the first objects (at most 1,000, one listing) whose keys start with <paramref name="prefix"/>: call again until it
    /// answers 0. Each call lists from the start, so a caller may stop between calls and a later one carries on.
    /// </summary>
    /// <returns>How many objects it deleted.</returns>
    public static async Task<int> DeleteFirstObjectsAsync(IAmazonS3 s3, string bucket, string prefix, CancellationToken cancellationToken)
    {
        var listed = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = prefix }, cancellationToken);
        if (listed.S3Objects is not { Count: > 0 } objects) return 0;
        var result = await s3.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = bucket,
            Objects = objects.Select(o => new KeyVersion { Key = o.Key }).ToList(),
            Quiet = true,
        }, cancellationToken);
        if (result.DeleteErrors is { Count: > 0 } errors)
            throw new InvalidOperationException($"S3 did not delete {errors[0].Key}: {errors[0].Code} {errors[0].Message}");
        return objects.Count;
    }
}
