namespace Serverless.Kernel.Aws;

/// <summary>
/// The two places where SigV4 differs between services.
/// </summary>
/// <param name="DoubleEncodePath">
/// Encode each path segment a second time in the canonical URI. AWS requires this for every service except S3
/// (the request carries each segment encoded once; the canonical request carries that text encoded again).
/// </param>
/// <param name="IncludeContentSha256Header">
/// Send and sign <c>x-amz-content-sha256</c>. Only S3 (and S3-like services) want it; JSON services do not.
/// </param>
public sealed record SigV4Options(bool DoubleEncodePath, bool IncludeContentSha256Header)
{
    /// <summary>The options AWS specifies for a service, by its signing name.</summary>
    public static SigV4Options For(string signingName) =>
        string.Equals(signingName, "s3", StringComparison.Ordinal) ? S3 : Default;

    /// <summary>Every service but S3: double-encoded path, no payload-hash header.</summary>
    public static SigV4Options Default { get; } = new(DoubleEncodePath: true, IncludeContentSha256Header: false);

    /// <summary>S3: path encoded once, payload hash sent as <c>x-amz-content-sha256</c>.</summary>
    public static SigV4Options S3 { get; } = new(DoubleEncodePath: false, IncludeContentSha256Header: true);
}
