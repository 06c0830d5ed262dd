namespace Serverless.Kernel.Aws;

/// <summary>What <see cref="SigV4"/> computed for one request; the intermediate texts are kept for diagnostics and tests.</summary>
public sealed record SigV4Result(
    string CanonicalRequest,
    string StringToSign,
    string SignedHeaders,
    string Signature,
    string Authorization);
