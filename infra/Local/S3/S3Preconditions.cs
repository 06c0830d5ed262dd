namespace Serverless.Local.S3;

/// <summary>
/// The conditional requests S3 honours and the S3 emulator ignores: <c>If-None-Match: *</c> on PutObject and
/// CompleteMultipartUpload (write only if no object has the key) and <c>If-Match: {etag}</c> on GetObject, HeadObject,
/// PutObject and CompleteMultipartUpload (only if the object is the one with that ETag). A condition that does not hold
/// is S3's 412 <c>PreconditionFailed</c> naming it; <c>If-Match</c> on a write to a missing key is 404 <c>NoSuchKey</c>.
/// </summary>
/// <remarks>
/// The object's ETag is read with a HEAD from the emulator. Conditional writes to one key are serialised (with the read
/// before them) so two writes with <c>If-None-Match: *</c> cannot both find the key free, as S3 guarantees.
/// </remarks>
internal sealed class S3Preconditions(HttpClient emulator)
{
    private const string Failed = "At least one of the pre-conditions you specified did not hold";

    // Striped locks: bounded memory whatever the number of keys; two keys rarely share one, and then only wait.
    private readonly SemaphoreSlim[] writes = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    /// <summary>A request's conditions, evaluated: the error to answer instead, if any, and the hold on the key.</summary>
    public sealed class Outcome(S3Error? error, SemaphoreSlim? held) : IDisposable
    {
        public S3Error? Error => error;
        public void Dispose() => held?.Release();
    }

    /// <summary>An S3 error: status, code, message and the elements between Message and RequestId.</summary>
    public sealed record S3Error(int Status, string Code, string Message, IReadOnlyDictionary<string, string> Details);

    /// <summary>Evaluates the request's conditions; dispose the outcome once the request was forwarded and answered.</summary>
    /// <param name="path">The request's raw path, <c>/{bucket}/{key}</c>.</param>
    public async Task<Outcome> EvaluateAsync(HttpRequest request, string path, CancellationToken cancellationToken)
    {
        var ifMatch = request.Headers.IfMatch.ToString();
        var ifNoneMatch = request.Headers.IfNoneMatch.ToString();
        var segments = path.TrimStart('/').Split('/', 2);
        if (segments.Length < 2 || segments[1].Length == 0) return new Outcome(null, null);
        var write = IsWrite(request);
        var read = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);
        var conditional = write ? ifMatch.Length > 0 || ifNoneMatch == "*" : read && ifMatch.Length > 0;
        if (!conditional) return new Outcome(null, null);

        var held = write ? writes[(int)((uint)StringComparer.Ordinal.GetHashCode(path) % (uint)writes.Length)] : null;
        if (held is not null) await held.WaitAsync(cancellationToken);
        try
        {
            var current = await ETagAsync(path, cancellationToken);
            S3Error? error = null;
            if (write && ifNoneMatch == "*" && current is not null)
                error = PreconditionFailed("If-None-Match");
            else if (ifMatch.Length > 0 && current is null && write)
                error = new S3Error(404, "NoSuchKey", "The specified key does not exist.",
                    new Dictionary<string, string> { ["Key"] = Uri.UnescapeDataString(segments[1]) });
            else if (ifMatch.Length > 0 && current is not null && !Matches(ifMatch, current))
                error = PreconditionFailed("If-Match");
            return new Outcome(error, held);
        }
        catch
        {
            held?.Release();
            throw;
        }
    }

    private static S3Error PreconditionFailed(string header) =>
        new(412, "PreconditionFailed", Failed, new Dictionary<string, string> { ["Condition"] = header });

    // PutObject is a PUT to a key with no sub-resource (a presigned URL's X-Amz-* parameters and the x-id some SDKs add
    // aside); UploadPart, tagging and ACL PUTs are not. CompleteMultipartUpload is the POST with an uploadId.
    private static bool IsWrite(HttpRequest request) =>
        HttpMethods.IsPut(request.Method)
            ? request.Query.Keys.All(name =>
                name.StartsWith("X-Amz-", StringComparison.OrdinalIgnoreCase) || name == "x-id")
            : HttpMethods.IsPost(request.Method) && request.Query.ContainsKey("uploadId");

    /// <summary>Whether an <c>If-Match</c> list (<c>*</c>, or ETags quoted or not) names the object's ETag.</summary>
    private static bool Matches(string ifMatch, string current) =>
        ifMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Any(tag => tag == "*" || tag.Trim('"') == current);

    /// <summary>The object's ETag without quotes; null when there is no such object.</summary>
    private async Task<string?> ETagAsync(string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, path);
        using var head = await emulator.SendAsync(request, cancellationToken);
        if (head.StatusCode == System.Net.HttpStatusCode.NotFound) return null;
        head.EnsureSuccessStatusCode();
        return head.Headers.ETag?.Tag.Trim('"') ?? "";
    }
}
